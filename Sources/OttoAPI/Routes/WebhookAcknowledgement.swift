/// The body of an accepted CallRail webhook: `{"status":"ok"}`.
struct WebhookAcknowledgement: Encodable {
    var status = "ok"
}
