import Logging
import OttoPostgres
import OttoProviders
import OttoTasks

/// `transcribe`: streams the recording from Twilio (Basic auth when media auth is on) or
/// CallRail into Deepgram's pre-recorded API (multichannel for dual-channel recordings,
/// diarisation otherwise), holding a permit of both providers' shared limits, and stores the
/// transcript (replacing an earlier one) with the audio seconds in the tenant's ledger.
///
/// A provider's 429 or outage defers the step without spending an attempt; a refusal (a wrong
/// key, audio Deepgram cannot read) is a failed attempt with the provider's reason.
public struct TranscribeStep: WorkflowStep {
    public typealias Input = FetchRecordingStep.Output

    public struct Output: Codable, Sendable, Equatable {
        public var recordingID: String
        public var durationSeconds: Double
        public var utterances: Int
        public var channels: Int

        enum CodingKeys: String, CodingKey {
            case utterances, channels
            case recordingID = "recording_id"
            case durationSeconds = "duration_seconds"
        }
    }

    public static let name = "transcribe"
    public static var retryPolicy: RetryPolicy { RetryPolicy(maxAttempts: 4, baseDelay: .seconds(10)) }
    /// Deepgram takes up to a few minutes for an hour of audio.
    public static var timeLimit: Duration { .seconds(600) }

    let dependencies: CallPipelineDependencies

    public init(_ dependencies: CallPipelineDependencies) {
        self.dependencies = dependencies
    }

    public func run(_ input: Input, context: WorkflowContext) async throws -> Output {
        guard let tenantID = context.ref.tenantID else {
            throw TaskError(.invalidArguments, detail: "a call_analysis workflow needs a tenant")
        }
        let providers = dependencies.providers
        let limits = dependencies.limits
        let transcript = try await ProviderBackoff.deferringOutages(limits: limits, deferrals: context.deferrals) {
            try await limits.recordingMedia.withPermit {
                try await limits.deepgram.withPermit {
                    let media = try await Self.media(input, providers: providers)
                    return try await providers.deepgram.transcribe(media, channels: input.channels == 2 ? .dual : .mono)
                }
            }
        }
        try await TranscriptStore(pool: dependencies.postgres).save(
            tenantID: tenantID, callID: context.ref.subjectID, recordingID: input.recordingID,
            channels: input.channels, transcript: transcript)
        context.logger.info(
            "call transcribed",
            metadata: [
                "call_id": "\(context.ref.subjectID)", "audio_seconds": "\(transcript.durationSeconds)",
                "utterances": "\(transcript.utterances.count)",
            ])
        return Output(
            recordingID: input.recordingID, durationSeconds: transcript.durationSeconds,
            utterances: transcript.utterances.count, channels: input.channels)
    }

    /// Opens the recording's download.
    static func media(_ input: Input, providers: ProviderClients) async throws -> RecordingMedia {
        if let url = input.mediaURL {
            return try await providers.twilioMedia.fetchRecording(url)
        }
        guard let account = input.callRailAccountID, let call = input.callRailCallID else {
            throw TaskError(.invalidArguments, detail: "the fetch step gave no recording location")
        }
        return try await providers.callRail.fetchRecording(accountID: account, callID: call)
    }
}
