import OttoCalls
import OttoCore
import OttoProcessKit
import OttoTasks

/// A tenant as the `tenants` commands print it: `{"id", "clerk_org", "name", "webhooks",
/// "callrail"}`. The CallRail signing keys are never printed: `signing_key` says only whether
/// one is set (`"set"` or `"not set"`), and `previous_key_valid_until` (RFC 3339, or null) when
/// a rotation is under way.
struct TenantOutput: Encodable {
    struct Webhooks: Encodable {
        var twilio: String
        var callrail: String
    }

    struct CallRail: Encodable {
        var companyID: String?
        var signingKeySet: Bool
        var previousKeyValidUntil: String?

        enum CodingKeys: String, CodingKey {
            case companyID = "company_id"
            case signingKey = "signing_key"
            case previousKeyValidUntil = "previous_key_valid_until"
        }

        func encode(to encoder: any Encoder) throws {
            // Every key is always present (null when unset), so scripts can rely on the shape.
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(companyID, forKey: .companyID)
            try container.encode(signingKeySet ? "set" : "not set", forKey: .signingKey)
            try container.encode(previousKeyValidUntil, forKey: .previousKeyValidUntil)
        }
    }

    var id: String
    var clerk_org: String
    var name: String
    var webhooks: Webhooks
    var callrail: CallRail

    init(_ tenant: Tenant, baseURL: String) {
        id = tenant.id
        clerk_org = tenant.clerkOrgID
        name = tenant.name
        webhooks = Webhooks(
            twilio: "\(baseURL)/webhooks/twilio/\(tenant.id)", callrail: "\(baseURL)/webhooks/callrail/\(tenant.id)")
        callrail = CallRail(
            companyID: tenant.callRailCompanyID, signingKeySet: tenant.hasCallRailSigningKey,
            previousKeyValidUntil: tenant.callRailPreviousKeyValidUntil.map(LogTimestamp.rfc3339))
    }

    /// PUBLIC_BASE_URL, or the local address when it is unset (development).
    static func baseURL(_ configuration: APIProcessConfiguration) -> String {
        configuration.webhooks.publicBaseURL ?? "http://127.0.0.1:\(configuration.http.port)"
    }

    var text: String {
        var key = callrail.signingKeySet ? "signing key set" : "no signing key"
        if let until = callrail.previousKeyValidUntil { key += ", previous key valid until \(until)" }
        return "\(id)  \(clerk_org)  \(name)\n  twilio:   \(webhooks.twilio)\n  callrail: \(webhooks.callrail)\n"
            + "  callrail company: \(callrail.companyID ?? "none"), \(key)"
    }
}
