import OttoPostgres
import OttoProviders
import OttoTasks

/// `fetch`: finds the call's recording and where its audio is, and refuses for good, before
/// any provider is paid, a recording that cannot be transcribed (not completed, not a Twilio
/// recording URL, no CallRail call). The audio itself is fetched by `transcribe`, streamed into
/// Deepgram as it downloads, never written to disk: a temporary media URL (CallRail's HIPAA
/// accounts) is resolved there, when it is used, and never stored.
public struct FetchRecordingStep: WorkflowStep {
    public struct Input: Codable, Sendable, Equatable {
        public var recordingID: String

        public init(recordingID: String) {
            self.recordingID = recordingID
        }

        enum CodingKeys: String, CodingKey {
            case recordingID = "recording_id"
        }
    }

    /// Where the audio is.
    public struct Output: Codable, Sendable, Equatable {
        public var recordingID: String
        public var provider: String
        /// Twilio's `RecordingUrl` (without extension).
        public var mediaURL: String?
        /// CallRail's account and call ids (its API v3 gives the recording's URL).
        public var callRailAccountID: String?
        public var callRailCallID: String?
        /// 2 for dual-channel recordings (one party per channel), 1 otherwise.
        public var channels: Int
        public var durationSeconds: Int?

        enum CodingKeys: String, CodingKey {
            case provider, channels
            case recordingID = "recording_id"
            case mediaURL = "media_url"
            case callRailAccountID = "callrail_account_id"
            case callRailCallID = "callrail_call_id"
            case durationSeconds = "duration_seconds"
        }
    }

    public static let name = "fetch"
    public static var retryPolicy: RetryPolicy { .databaseBound }
    public static var timeLimit: Duration { .seconds(60) }

    let dependencies: CallPipelineDependencies

    public init(_ dependencies: CallPipelineDependencies) {
        self.dependencies = dependencies
    }

    public func run(_ input: Input, context: WorkflowContext) async throws -> Output {
        guard let tenantID = context.ref.tenantID, UUIDText.isValid(input.recordingID) else {
            throw TaskError(.invalidArguments, detail: "a call_analysis workflow needs a tenant and a recording id")
        }
        guard
            let recording = try await RecordingStore(pool: dependencies.postgres).load(
                tenantID: tenantID, recordingID: input.recordingID)
        else {
            throw TaskError(.invalidArguments, detail: "recording \(input.recordingID) does not exist")
        }
        guard recording.status == "completed" else {
            throw TaskError(
                .invalidArguments, detail: "the recording is \(recording.status), not completed: nothing to transcribe")
        }
        var output = Output(
            recordingID: recording.id, provider: recording.provider.rawValue, channels: recording.channels == 2 ? 2 : 1,
            durationSeconds: recording.durationSeconds)
        switch recording.provider {
        case .twilio:
            guard let url = recording.mediaURL, TwilioMediaClient.mediaURL(url, container: .wav) != nil else {
                throw TaskError(.invalidArguments, detail: "the recording has no Twilio recording URL")
            }
            output.mediaURL = url
        case .callrail:
            guard let ids = CallRailRecordingLink(recording.mediaURL ?? "") else {
                throw TaskError(.invalidArguments, detail: "the recording has no CallRail API recording URL")
            }
            output.callRailAccountID = ids.accountID
            output.callRailCallID = ids.callID
        }
        return output
    }
}
