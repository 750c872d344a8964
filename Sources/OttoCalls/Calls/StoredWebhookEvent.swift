/// A webhook event as stored: what the processing task reads back.
public struct StoredWebhookEvent: Sendable {
    public var id: String
    public var tenantID: String
    public var provider: WebhookProvider
    public var providerCallID: String?
    public var eventKind: String
    /// The payload as JSON text (`jsonb`).
    public var payload: String
    public var processed: Bool
}
