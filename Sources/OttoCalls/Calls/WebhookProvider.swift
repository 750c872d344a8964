/// The providers whose webhooks Otto accepts.
public enum WebhookProvider: String, Sendable, Codable, CaseIterable {
    case twilio
    case callrail
}
