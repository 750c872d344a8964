import Logging
import OttoPostgres
import OttoProviders
import OttoTasks

/// `analyse`: asks OpenAI for the call's structured analysis under the strict schema (summary,
/// sentiment, outcome, objections, next steps, lead score), computes the talk time and silence
/// from the stored utterances, and stores the analysis (replacing an earlier one) with the
/// model and tokens, which go to the tenant's ledger.
///
/// A refusal, a truncated answer or one that does not match the schema is a failed attempt
/// with that reason, never an empty analysis; a transcript without speech fails at once.
public struct AnalyseStep: WorkflowStep {
    public typealias Input = TranscribeStep.Output

    public struct Output: Codable, Sendable, Equatable {
        public var leadScore: Int
        public var outcome: String
        public var model: String
        public var promptTokens: Int
        public var completionTokens: Int

        enum CodingKeys: String, CodingKey {
            case outcome, model
            case leadScore = "lead_score"
            case promptTokens = "prompt_tokens"
            case completionTokens = "completion_tokens"
        }
    }

    public static let name = "analyse"
    public static var retryPolicy: RetryPolicy { RetryPolicy(maxAttempts: 3, baseDelay: .seconds(10)) }
    public static var timeLimit: Duration { .seconds(180) }

    let dependencies: CallPipelineDependencies

    public init(_ dependencies: CallPipelineDependencies) {
        self.dependencies = dependencies
    }

    public func run(_ input: Input, context: WorkflowContext) async throws -> Output {
        guard let tenantID = context.ref.tenantID else {
            throw TaskError(.invalidArguments, detail: "a call_analysis workflow needs a tenant")
        }
        let callID = context.ref.subjectID
        guard
            let stored = try await TranscriptRecords.load(dependencies.postgres, tenantID: tenantID, callID: callID)
        else {
            throw TaskError(.invalidArguments, detail: "the call has no stored transcript")
        }
        let transcript = stored.transcript
        guard !transcript.utterances.isEmpty else {
            throw TaskError(.invalidArguments, detail: "the recording has no speech: nothing to analyse")
        }
        let providers = dependencies.providers
        let limits = dependencies.limits
        let completion = try await ProviderBackoff.deferringOutages(limits: limits, deferrals: context.deferrals) {
            try await limits.openAI.withPermit {
                try await providers.openAI.analyse(transcript)
            }
        }
        let talkTime = TalkTime(transcript)
        try await AnalysisStore(pool: dependencies.postgres).save(
            tenantID: tenantID, callID: callID, analysis: completion.value, talkTime: talkTime,
            model: completion.model, usage: completion.usage)
        context.logger.info(
            "call analysed",
            metadata: [
                "call_id": "\(callID)", "model": "\(completion.model)",
                "prompt_tokens": "\(completion.usage.promptTokens)",
                "completion_tokens": "\(completion.usage.completionTokens)",
            ])
        return Output(
            leadScore: completion.value.leadScore, outcome: completion.value.outcome.rawValue, model: completion.model,
            promptTokens: completion.usage.promptTokens, completionTokens: completion.usage.completionTokens)
    }
}
