import HTTPTypes
import OttoCalls
import OttoCore
import OttoProcessKit
import OttoSupport
import OttoTasks

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The call-analysis pipeline's tenant API under `/v1`: a call's transcript and analysis, the
/// tenant's usage ledger, and the workflow state `GET /v1/calls/{id}` carries. Every read runs in
/// the caller's tenant scope, so another tenant's call is a 404 like a missing one.
extension APIHandler {
    /// The pipeline's workflow, one per call (its subject id is the call's id).
    static let callAnalysisWorkflow = "call_analysis"

    func getCallTranscript(_ input: Operations.GetCallTranscript.Input) async throws
        -> Operations.GetCallTranscript.Output
    {
        let tenant = try tenant
        let id = input.path.id
        guard let record = try await pipelineRead({ try await $0.transcript(tenantID: tenant, callID: id) }) else {
            try await requireCall(tenant: tenant, id: id)
            throw Problem(.notFound, detail: "The call has no transcript yet.")
        }
        return .ok(.init(body: .json(.init(record))))
    }

    func getCallAnalysis(_ input: Operations.GetCallAnalysis.Input) async throws -> Operations.GetCallAnalysis.Output {
        let tenant = try tenant
        let id = input.path.id
        guard let record = try await pipelineRead({ try await $0.analysis(tenantID: tenant, callID: id) }) else {
            try await requireCall(tenant: tenant, id: id)
            throw Problem(.notFound, detail: "The call has no analysis yet.")
        }
        return .ok(.init(body: .json(try .init(record))))
    }

    func getUsage(_ input: Operations.GetUsage.Input) async throws -> Operations.GetUsage.Output {
        let tenant = try tenant
        let range: UsageRange
        do {
            range = try UsageRange(
                from: input.query.from, to: input.query.to, today: CalendarDay(unixSeconds: UnixTime.now()))
        } catch {
            throw Problem(.badRequest, detail: "\(error)")
        }
        let days = try await pipelineRead { try await $0.usage(tenantID: tenant, range: range) }
        let totals = UsageTotals(days)
        return .ok(
            .init(
                body: .json(
                    .init(
                        from: range.from.description, to: range.to.description, days: days.map(Self.usageDay),
                        totals: .init(
                            audioSeconds: totals.audioSeconds, transcriptions: totals.transcriptions,
                            promptTokens: totals.promptTokens, completionTokens: totals.completionTokens,
                            analyses: totals.analyses)))))
    }

    /// The call's analysis workflow, or nil without a journal or before it started.
    func workflow(tenant: String, callID: String) async throws -> CallWorkflow? {
        guard let workflows else { return nil }
        let status: WorkflowStatus?
        do {
            status = try await workflows.status(
                workflow: Self.callAnalysisWorkflow, subjectID: callID, tenantID: tenant)
        } catch {
            throw Problem(.serviceUnavailable, detail: "The call's workflow state is unavailable; retry later.")
        }
        return status.map { CallWorkflow($0, time: LogTimestamp.rfc3339) }
    }

    /// A 404 "No such call." unless the tenant has the call.
    func requireCall(tenant: String, id: String) async throws {
        guard try await database({ try await $0.get(tenantID: tenant, id: id) }) != nil else {
            throw Problem(.notFound, detail: "No such call.")
        }
    }

    /// Runs a read of the pipeline's tables; no database, or a failed one, is a 503 problem.
    func pipelineRead<T: Sendable>(_ body: (PipelineReader) async throws -> T) async throws -> T {
        guard let pipeline else { throw Problem(.serviceUnavailable, detail: "The database is not configured.") }
        do {
            return try await body(pipeline)
        } catch {
            throw Problem(.serviceUnavailable, detail: "The database is unavailable; retry later.")
        }
    }

    static func usageDay(_ day: UsageDay) -> Components.Schemas.UsageDay {
        .init(
            day: day.day, audioSeconds: day.audioSeconds, transcriptions: day.transcriptions,
            promptTokens: day.promptTokens, completionTokens: day.completionTokens, analyses: day.analyses)
    }
}

extension Components.Schemas.Transcript {
    init(_ record: TranscriptRecord) {
        self.init(
            callId: record.callID, recordingId: record.recordingID, channels: record.channels,
            durationSeconds: record.durationSeconds, model: record.model, modelName: record.modelName,
            requestId: record.requestID,
            utterances: record.lines.map {
                .init(
                    channel: $0.channel, speaker: $0.speaker, start: $0.start, end: $0.end, confidence: $0.confidence,
                    text: $0.text)
            },
            createdAt: Date(timeIntervalSince1970: record.createdAt),
            updatedAt: Date(timeIntervalSince1970: record.updatedAt))
    }
}

extension Components.Schemas.Analysis {
    /// Throws when a stored sentiment or outcome is not one the document lists (the analyse step
    /// validates both, so this is a server fault: a 500, logged).
    init(_ record: AnalysisRecord) throws {
        guard let sentiment = SentimentPayload(rawValue: record.sentiment),
            let outcome = OutcomePayload(rawValue: record.outcome)
        else { throw AnalysisRecordError(callID: record.callID) }
        let talkTime = record.talkTime
        self.init(
            callId: record.callID, summary: record.summary, sentiment: sentiment, outcome: outcome,
            objections: record.objections, nextSteps: record.nextSteps, leadScore: record.leadScore,
            talkTime: .init(
                ratio: talkTime.ratio, silenceSeconds: talkTime.silenceSeconds,
                overlapSeconds: talkTime.overlapSeconds, byParty: .init(additionalProperties: talkTime.byParty)),
            model: record.model,
            usage: .init(promptTokens: record.promptTokens, completionTokens: record.completionTokens),
            createdAt: Date(timeIntervalSince1970: record.createdAt),
            updatedAt: Date(timeIntervalSince1970: record.updatedAt))
    }
}
