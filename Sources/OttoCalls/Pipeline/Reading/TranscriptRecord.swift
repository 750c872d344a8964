import OttoPostgres
import OttoProviders

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A call's stored transcript (`transcripts`, one row per call), with its utterances decoded:
/// what `GET /v1/calls/{id}/transcript` serves and the pipeline's analyse step reads.
public struct TranscriptRecord: Sendable, Equatable {
    public var callID: String
    /// The recording transcribed; nil once it was deleted.
    public var recordingID: String?
    /// 2 for a dual-channel recording, else 1.
    public var channels: Int
    public var durationSeconds: Double
    /// In time order, as the transcribe step stored them.
    public var utterances: [Transcript.Utterance]
    public var model: String
    public var modelName: String?
    public var requestID: String?
    /// Unix seconds.
    public var createdAt: Double
    public var updatedAt: Double

    /// One utterance in OttoCalls' own terms, for the layers that import no provider client
    /// (the HTTP API answers with these).
    public struct Line: Sendable, Equatable {
        public var channel: Int
        public var speaker: Int?
        public var start: Double
        public var end: Double
        public var confidence: Double
        public var text: String
    }

    /// ``utterances`` as ``Line``s.
    public var lines: [Line] {
        utterances.map {
            Line(
                channel: $0.channel, speaker: $0.speaker, start: $0.start, end: $0.end, confidence: $0.confidence,
                text: $0.text)
        }
    }

    /// The transcript as the provider client returned it (the analyse step's input).
    public var transcript: Transcript {
        Transcript(
            utterances: utterances, durationSeconds: durationSeconds, model: model, modelName: modelName,
            requestID: requestID)
    }

    static let selectList = """
        call_id, recording_id, channels, duration_seconds, utterances::text AS utterances, model, model_name,
        request_id, extract(epoch FROM created_at)::float8 AS created_at,
        extract(epoch FROM updated_at)::float8 AS updated_at
        """

    init(row: PostgresRow) throws {
        callID = try row.decode(String.self, "call_id")
        recordingID = try row.decode(String?.self, "recording_id")
        channels = try row.decode(Int.self, "channels")
        durationSeconds = try row.decode(Double.self, "duration_seconds")
        // The column holds `[Transcript.Utterance]` as its Codable form wrote it.
        utterances = try JSONDecoder().decode(
            [Transcript.Utterance].self, from: Data(try row.decode(String.self, "utterances").utf8))
        model = try row.decode(String.self, "model")
        modelName = try row.decode(String?.self, "model_name")
        requestID = try row.decode(String?.self, "request_id")
        createdAt = try row.decode(Double.self, "created_at")
        updatedAt = try row.decode(Double.self, "updated_at")
    }
}
