import OttoTasks

/// What a stored webhook event says about a call's recording, bounded like ``CallUpdate``: ids
/// of 1 to 128 characters, http(s) URLs, whole seconds up to a week, 1 or 2 channels (anything
/// else is dropped and stays unknown).
public struct RecordingUpdate: Sendable, Equatable {
    public var provider: WebhookProvider
    public var providerRecordingID: String
    public var mediaURL: String?
    /// Lower-cased: `completed` starts the pipeline; `in-progress`, `failed`, `absent` do not.
    public var status: String
    public var channels: Int?
    public var durationSeconds: Int?

    public init(
        provider: WebhookProvider, providerRecordingID: String, mediaURL: String? = nil,
        status: String = RecordingStore.completed, channels: Int? = nil, durationSeconds: Int? = nil
    ) {
        self.provider = provider
        self.providerRecordingID = providerRecordingID
        self.mediaURL = mediaURL
        self.status = status
        self.channels = channels
        self.durationSeconds = durationSeconds
    }

    /// Whether it starts the pipeline.
    public var isCompleted: Bool { status == RecordingStore.completed }

    /// Twilio's recording status callback: `RecordingSid`, `RecordingStatus`, `RecordingUrl`,
    /// `RecordingDuration`, `RecordingChannels`. A callback without `RecordingStatus` (the
    /// `<Record action>` callback) is completed when it carries a URL, as ``CallUpdate`` reads it.
    public static func twilio(_ fields: [String: String]) -> RecordingUpdate? {
        guard let sid = fields["RecordingSid"].flatMap(CallUpdate.identifier) else { return nil }
        let url = fields["RecordingUrl"].flatMap(CallUpdate.recordingURL)
        let status: String
        if let given = fields["RecordingStatus"] {
            status =
                given.utf8.count <= 32 && !given.isEmpty && !CallUpdate.containsControl(given)
                ? given.lowercased() : "unknown"
        } else {
            status = url != nil ? RecordingStore.completed : "unknown"
        }
        let channels = fields["RecordingChannels"].flatMap(Int.init).flatMap { [1, 2].contains($0) ? $0 : nil }
        return RecordingUpdate(
            provider: .twilio, providerRecordingID: sid, mediaURL: url, status: status, channels: channels,
            durationSeconds: fields["RecordingDuration"].flatMap(CallUpdate.duration))
    }

    /// A CallRail post-call (or call-modified) webhook whose call has a recording: `recording`
    /// (the API v3 link to the recording) or `recording_player`, with `recording_duration`.
    /// CallRail has no recording id: the call's id stands for it (its API finds the recording by
    /// call). Nil when the payload names no recording, and for pre-call events.
    public static func callRail(_ payload: [String: JSONValue], eventKind: String) -> RecordingUpdate? {
        guard eventKind != "pre-call", let call = CallUpdate.callRail(payload, eventKind: eventKind) else {
            return nil
        }
        func text(_ key: String) -> String? {
            switch payload[key] {
            case .string(let value)?: value.isEmpty ? nil : value
            case .number(let value)?: CallUpdate.wholeNumber(value).map { String($0) }
            default: nil
            }
        }
        let recording = text("recording")
        guard recording != nil || text("recording_player") != nil else { return nil }
        return RecordingUpdate(
            provider: .callrail, providerRecordingID: call.providerCallID,
            mediaURL: recording.flatMap(CallUpdate.recordingURL), status: RecordingStore.completed,
            durationSeconds: text("recording_duration").flatMap(CallUpdate.duration))
    }

    /// The recording an event's stored payload describes, if any.
    public static func from(provider: WebhookProvider, eventKind: String, payload: JSONValue) -> RecordingUpdate? {
        guard case .object(let object) = payload else { return nil }
        switch provider {
        case .twilio:
            var fields: [String: String] = [:]
            for (key, value) in object { if case .string(let text) = value { fields[key] = text } }
            return twilio(fields)
        case .callrail:
            return callRail(object, eventKind: eventKind)
        }
    }
}
