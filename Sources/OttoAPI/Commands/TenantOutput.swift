import OttoCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A tenant as the `tenants` commands print it: `{"id", "clerk_org", "name", "webhooks"}`.
struct TenantOutput: Encodable {
    struct Webhooks: Encodable {
        var twilio: String
        var callrail: String
    }
    var id: String
    var clerk_org: String
    var name: String
    var webhooks: Webhooks

    init(_ tenant: Tenant, baseURL: String) {
        id = tenant.id
        clerk_org = tenant.clerkOrgID
        name = tenant.name
        webhooks = Webhooks(
            twilio: "\(baseURL)/webhooks/twilio/\(tenant.id)", callrail: "\(baseURL)/webhooks/callrail/\(tenant.id)")
    }

    /// PUBLIC_BASE_URL, or the local address when it is unset (development).
    static func baseURL(_ configuration: OttoConfiguration) -> String {
        configuration.publicBaseURL ?? "http://127.0.0.1:\(configuration.port)"
    }

    static func json(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    var text: String {
        "\(id)  \(clerk_org)  \(name)\n  twilio:   \(webhooks.twilio)\n  callrail: \(webhooks.callrail)"
    }
}
