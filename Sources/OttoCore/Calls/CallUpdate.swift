/// What one webhook event says about a call, normalised across providers (numbers in E.164,
/// times in unix seconds). `CallStore.upsert` merges it into the call row.
public struct CallUpdate: Sendable, Equatable {
    public var provider: WebhookProvider
    public var providerCallID: String
    public var direction: String?
    public var fromNumber: String?
    public var toNumber: String?
    public var trackingNumber: String?
    public var status: String
    public var startedAt: Double?
    public var endedAt: Double?
    public var durationSeconds: Int?
    public var recordingURL: String?

    /// The longest call duration kept: a week (Twilio ends calls after 24 hours).
    public static let maximumDurationSeconds = 604_800
    /// The longest provider call id kept (Twilio's are 34 characters, CallRail's about 35).
    public static let maximumIdentifierLength = 128
    /// The longest recording URL kept.
    public static let maximumURLLength = 2048

    public init(
        provider: WebhookProvider, providerCallID: String, direction: String? = nil, fromNumber: String? = nil,
        toNumber: String? = nil, trackingNumber: String? = nil, status: String = CallStatus.unknown,
        startedAt: Double? = nil, endedAt: Double? = nil, durationSeconds: Int? = nil, recordingURL: String? = nil
    ) {
        self.provider = provider
        self.providerCallID = providerCallID
        self.direction = direction
        self.fromNumber = fromNumber
        self.toNumber = toNumber
        self.trackingNumber = trackingNumber
        self.status = status
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.durationSeconds = durationSeconds
        self.recordingURL = recordingURL
    }

    /// A Twilio voice status callback or recording callback (form fields).
    ///
    /// Status callbacks carry `CallSid`, `CallStatus`, `Direction`, `From`, `To`, `Timestamp`
    /// and, once the call ended, `CallDuration`; recording callbacks carry `RecordingUrl`,
    /// `RecordingSid` and `RecordingStatus`. Twilio has no tracking number; `To` is the number
    /// called.
    public static func twilio(_ fields: [String: String]) -> CallUpdate? {
        guard let sid = fields["CallSid"], !sid.isEmpty else { return nil }
        var update = CallUpdate(provider: .twilio, providerCallID: sid)
        update.direction = fields["Direction"].map { $0.hasPrefix("outbound") ? "outbound" : $0 }
        update.fromNumber = fields["From"].flatMap { PhoneNumber.e164($0) }
        update.toNumber = fields["To"].flatMap { PhoneNumber.e164($0) }
        if fields["RecordingSid"] == nil, let status = fields["CallStatus"]?.lowercased(), !status.isEmpty {
            update.status = status
        }
        let timestamp = fields["Timestamp"].flatMap(WebhookTime.unixSeconds)
        let duration = fields["CallDuration"].flatMap { Int($0) }
        update.durationSeconds = duration
        if CallStatus.isTerminal(update.status) {
            update.endedAt = timestamp
            if let timestamp, let duration { update.startedAt = timestamp - Double(duration) }
        } else if update.status == "in-progress" {
            update.startedAt = timestamp
        }
        if let url = fields["RecordingUrl"], !url.isEmpty, fields["RecordingStatus"].map({ $0 == "completed" }) ?? true
        {
            update.recordingURL = url
        }
        return update
    }

    /// A CallRail webhook (JSON object): pre-call, call-completed or call-modified.
    ///
    /// Reads `resource_id` (the `CAL…` id every event kind carries; `id` when it is absent),
    /// `direction`, `customer_phone_number` (`customer_number` in pre-call payloads),
    /// `tracking_phone_number`, `business_phone_number`, `start_time`, `duration`, `recording`
    /// and `answered`. A pre-call event is a ringing call (CallRail sends it with
    /// `answered=false` and `duration=0`, which must not read as a missed call); a completed or
    /// modified one is `completed` when answered and `no-answer` otherwise.
    public static func callRail(_ payload: [String: JSONValue], eventKind: String) -> CallUpdate? {
        func string(_ key: String) -> String? {
            switch payload[key] {
            case .string(let value)?: value.isEmpty ? nil : value
            case .number(let value)?: String(Int(value))
            default: nil
            }
        }
        guard let id = string("resource_id") ?? string("id") else { return nil }
        var update = CallUpdate(provider: .callrail, providerCallID: id)
        let direction = string("direction")?.lowercased()
        update.direction = direction
        let customer = (string("customer_phone_number") ?? string("customer_number")).flatMap { PhoneNumber.e164($0) }
        let business = string("business_phone_number").flatMap { PhoneNumber.e164($0) }
        update.trackingNumber = string("tracking_phone_number").flatMap { PhoneNumber.e164($0) }
        if direction == "outbound" {
            update.fromNumber = update.trackingNumber ?? business
            update.toNumber = customer
        } else {
            update.fromNumber = customer
            update.toNumber = business ?? update.trackingNumber
        }
        update.startedAt = string("start_time").flatMap(WebhookTime.unixSeconds)
        update.durationSeconds = string("duration").flatMap { Int($0) }
        update.recordingURL = string("recording")
        if eventKind == "pre-call" {
            update.status = "ringing"
        } else if case .bool(let answered)? = payload["answered"] {
            update.status = answered ? "completed" : "no-answer"
        } else if update.durationSeconds != nil {
            update.status = "completed"
        }
        if let started = update.startedAt, let duration = update.durationSeconds, CallStatus.isTerminal(update.status) {
            update.endedAt = started + Double(duration)
        }
        return update
    }

    /// The update an event's stored payload describes.
    public static func from(provider: WebhookProvider, eventKind: String, payload: JSONValue) -> CallUpdate? {
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
