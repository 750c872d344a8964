import OttoSupport

/// One tenant's CallRail binding, decrypted for verifying its webhooks: the company it is bound
/// to and its own signing keys. Keys are ``Secret``s, so no description or dump prints them.
public struct CallRailCredentials: Sendable {
    /// A stored signing key as the API can use it.
    public enum Key: Sendable {
        /// The tenant has no key in this slot.
        case none
        case available(Secret)
        /// The tenant has a key this process cannot open.
        case unavailable(Unavailable)

        var secret: Secret? {
            if case .available(let secret) = self { return secret }
            return nil
        }
        var isPresent: Bool {
            if case .none = self { return false }
            return true
        }
    }

    /// Why a stored key cannot be used.
    public enum Unavailable: Sendable, Hashable {
        /// `TENANT_SECRETS_KEY` is not set.
        case noSecretsKey
        /// `TENANT_SECRETS_KEY` does not open it (another key, or changed bytes).
        case doesNotOpen
    }

    public var tenantID: String
    public var companyID: String?
    public var signingKey: Key
    public var previousSigningKey: Key
    /// Unix time until which `previousSigningKey` is accepted.
    public var previousValidUntil: Double?

    public init(
        tenantID: String, companyID: String? = nil, signingKey: Key = .none, previousSigningKey: Key = .none,
        previousValidUntil: Double? = nil
    ) {
        self.tenantID = tenantID
        self.companyID = companyID
        self.signingKey = signingKey
        self.previousSigningKey = previousSigningKey
        self.previousValidUntil = previousValidUntil
    }

    /// Opens the sealed keys with `secrets` (nil when `TENANT_SECRETS_KEY` is unset).
    public init(_ sealed: SealedCallRailCredentials, secrets: TenantSecretsKey?) {
        func open(_ bytes: [UInt8]?) -> Key {
            guard let bytes else { return .none }
            guard let secrets else { return .unavailable(.noSecretsKey) }
            guard let text = try? secrets.open(bytes, tenantID: sealed.tenantID, purpose: .callRailSigningKey) else {
                return .unavailable(.doesNotOpen)
            }
            return .available(Secret(text))
        }
        self.init(
            tenantID: sealed.tenantID, companyID: sealed.companyID, signingKey: open(sealed.signingKey),
            previousSigningKey: open(sealed.previousSigningKey), previousValidUntil: sealed.previousValidUntil)
    }

    /// The first reason a present key cannot be used, if any.
    public var unavailableKey: Unavailable? {
        for key in [signingKey, previousSigningKey] {
            if case .unavailable(let reason) = key { return reason }
        }
        return nil
    }
}
