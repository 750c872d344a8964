import OttoTasks

/// What one webhook event says about a call, normalised across providers (numbers in E.164,
/// times in unix seconds). `CallStore.upsert` merges it into the call row.
///
/// The payloads are signed, so Otto must acknowledge them even when a field is absurd (a 4xx
/// would make the provider drop a genuine event): every field is bounded here, and a value out
/// of bounds is dropped (the field stays unknown) rather than trapping, failing the insert or
/// reaching the API. Ids are 1 to 128 characters without control characters (the call itself is
/// refused without one); durations are whole seconds from 0 to a week; times lie in the years
/// 0001-9999 (`WebhookTime`); JSON numbers are read only when they are whole and within ±2^53,
/// where a double is exact; statuses and directions are the known ones; recording URLs are
/// http(s), at most 2048 characters, without spaces or control characters.
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
        guard let sid = fields["CallSid"].flatMap(identifier) else { return nil }
        var update = CallUpdate(provider: .twilio, providerCallID: sid)
        update.direction = fields["Direction"].flatMap(direction)
        update.fromNumber = fields["From"].flatMap(phoneNumber)
        update.toNumber = fields["To"].flatMap(phoneNumber)
        if fields["RecordingSid"] == nil, let status = fields["CallStatus"].flatMap(status) {
            update.status = status
        }
        let timestamp = fields["Timestamp"].flatMap(WebhookTime.unixSeconds)
        let duration = fields["CallDuration"].flatMap(duration)
        update.durationSeconds = duration
        if CallStatus.isTerminal(update.status) {
            update.endedAt = timestamp
            if let timestamp, let duration { update.startedAt = time(timestamp - Double(duration)) }
        } else if update.status == "in-progress" {
            update.startedAt = timestamp
        }
        if let url = fields["RecordingUrl"].flatMap(recordingURL),
            fields["RecordingStatus"].map({ $0 == "completed" }) ?? true
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
            case .number(let value)?: wholeNumber(value).map { String($0) }
            default: nil
            }
        }
        guard let id = (string("resource_id") ?? string("id")).flatMap(identifier) else { return nil }
        var update = CallUpdate(provider: .callrail, providerCallID: id)
        let direction = string("direction").flatMap(direction)
        update.direction = direction
        let customer = (string("customer_phone_number") ?? string("customer_number")).flatMap(phoneNumber)
        let business = string("business_phone_number").flatMap(phoneNumber)
        update.trackingNumber = string("tracking_phone_number").flatMap(phoneNumber)
        if direction == "outbound" {
            update.fromNumber = update.trackingNumber ?? business
            update.toNumber = customer
        } else {
            update.fromNumber = customer
            update.toNumber = business ?? update.trackingNumber
        }
        update.startedAt = string("start_time").flatMap(WebhookTime.unixSeconds)
        update.durationSeconds = string("duration").flatMap(duration)
        update.recordingURL = string("recording").flatMap(recordingURL)
        if eventKind == "pre-call" {
            update.status = "ringing"
        } else if case .bool(let answered)? = payload["answered"] {
            update.status = answered ? "completed" : "no-answer"
        } else if update.durationSeconds != nil {
            update.status = "completed"
        }
        if let started = update.startedAt, let duration = update.durationSeconds, CallStatus.isTerminal(update.status) {
            update.endedAt = time(started + Double(duration))
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

    // MARK: Bounds

    /// A JSON number as an integer, when it is whole and a double holds it exactly (±2^53).
    static func wholeNumber(_ value: Double) -> Int64? {
        guard value.isFinite, value.rounded(.towardZero) == value, abs(value) <= 9_007_199_254_740_992 else {
            return nil
        }
        return Int64(value)
    }

    /// A provider call id: 1 to 128 characters, no control characters.
    static func identifier(_ text: String) -> String? {
        guard !text.isEmpty, text.utf8.count <= maximumIdentifierLength, !containsControl(text) else { return nil }
        return text
    }

    /// Whole seconds from 0 to a week, written with digits only.
    static func duration(_ text: String) -> Int? {
        guard !text.isEmpty, text.utf8.count <= 7, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
            let seconds = Int(text), seconds <= maximumDurationSeconds
        else { return nil }
        return seconds
    }

    /// `inbound` or `outbound` (Twilio's `outbound-api` and `outbound-dial` are outbound).
    static func direction(_ text: String) -> String? {
        let lowered = text.lowercased()
        if lowered == "inbound" { return "inbound" }
        if lowered.hasPrefix("outbound"), lowered.utf8.count <= 32 { return "outbound" }
        return nil
    }

    /// A known call status (lower-cased); anything else leaves the status unknown.
    static func status(_ text: String) -> String? {
        guard text.utf8.count <= 32 else { return nil }
        let lowered = text.lowercased()
        return CallStatus.ranks[lowered] != nil ? lowered : nil
    }

    /// An E.164 number; the text is bounded before it is read.
    static func phoneNumber(_ text: String) -> String? {
        guard text.utf8.count <= 64 else { return nil }
        return PhoneNumber.e164(text)
    }

    /// An http(s) URL of at most 2048 characters without spaces or control characters.
    static func recordingURL(_ text: String) -> String? {
        guard text.hasPrefix("https://") || text.hasPrefix("http://"), text.utf8.count <= maximumURLLength,
            !containsControl(text), !text.unicodeScalars.contains(where: { $0.properties.isWhitespace })
        else { return nil }
        return text
    }

    /// A computed instant, when it stays in the years 0001-9999.
    static func time(_ seconds: Double) -> Double? {
        WebhookTime.isRepresentable(seconds) ? seconds : nil
    }

    static func containsControl(_ text: String) -> Bool {
        text.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }
    }
}
