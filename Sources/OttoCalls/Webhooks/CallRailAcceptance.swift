import OttoSupport

/// The rule that decides whether a CallRail webhook is accepted at tenant T (DESIGN.md):
/// it verifies with T's own signing key (the current one, or the previous one inside its
/// rotation window); or, when T has no key, it verifies with `CALLRAIL_SIGNING_KEY` and names
/// T's CallRail company. Anything else is refused, and nothing is stored.
///
/// CallRail signs each company's webhooks with that company's own token, so a tenant's own key
/// binds its webhooks to it. `CALLRAIL_SIGNING_KEY` is one company's token (a single-company
/// install); a webhook it verifies could have been sent to any tenant's URL, so it counts only
/// where the payload names the tenant's company. The payload's company is read from
/// `company_resource_id` and from `company_id` (older payloads, often a number), compared as
/// text; either one matching suffices, because the operator may have configured either form and
/// both name the same company in any payload CallRail signed.
public struct CallRailAcceptance: Sendable {
    /// What was decided.
    public enum Verdict: Sendable {
        /// Verified for this tenant; `document` is the parsed body when the decision needed it.
        case accepted(document: JSONDocument?)
        case refused(Refusal)
    }

    /// Why a webhook was refused.
    public enum Refusal: Sendable, Equatable {
        /// No tenant has the id in the path.
        case unknownTenant
        /// The tenant has neither its own key nor a company: the operator must configure one.
        case notBound
        /// The tenant has no key of its own and `CALLRAIL_SIGNING_KEY` is unset.
        case fallbackKeyNotConfigured
        /// The tenant's key is stored but cannot be opened here.
        case keyUnavailable(CallRailCredentials.Unavailable)
        /// Missing or wrong signature.
        case signatureInvalid
        /// Verified with `CALLRAIL_SIGNING_KEY`, but the body is not JSON, so its company is unknown.
        case bodyNotJSON
        /// Verified with `CALLRAIL_SIGNING_KEY`, but the payload names another company (or none).
        case companyMismatch
    }

    /// `CALLRAIL_SIGNING_KEY`.
    public var fallbackKey: Secret?
    /// `CALLRAIL_SIGNATURE_ALGORITHM`, for every key.
    public var algorithm: HMACAlgorithm

    public init(fallbackKey: Secret?, algorithm: HMACAlgorithm) {
        self.fallbackKey = fallbackKey
        self.algorithm = algorithm
    }

    /// Decides for one delivery; `credentials` nil means the tenant does not exist; `now` is the
    /// unix time the previous key's window is compared with.
    public func decide(
        credentials: CallRailCredentials?, signature: String, body: [UInt8], now: Double
    ) -> Verdict {
        guard let credentials else { return .refused(.unknownTenant) }
        if credentials.signingKey.isPresent {
            return decideWithOwnKeys(credentials, signature: signature, body: body, now: now)
        }
        guard let company = credentials.companyID else { return .refused(.notBound) }
        guard let fallbackKey else { return .refused(.fallbackKeyNotConfigured) }
        guard
            CallRailSignature(signingKey: fallbackKey.value, algorithm: algorithm).isValid(
                signature: signature, body: body)
        else { return .refused(.signatureInvalid) }
        guard let document = try? JSONDocument(parsing: body), document.isObject else {
            return .refused(.bodyNotJSON)
        }
        let named = [document.topLevelScalar("company_resource_id"), document.topLevelScalar("company_id")]
        guard named.contains(company) else { return .refused(.companyMismatch) }
        return .accepted(document: document)
    }

    private func decideWithOwnKeys(
        _ credentials: CallRailCredentials, signature: String, body: [UInt8], now: Double
    ) -> Verdict {
        if case .unavailable(let reason) = credentials.signingKey { return .refused(.keyUnavailable(reason)) }
        var keys: [Secret] = []
        if let current = credentials.signingKey.secret { keys.append(current) }
        let previousInWindow = credentials.previousValidUntil.map { now < $0 } ?? false
        if previousInWindow, let previous = credentials.previousSigningKey.secret { keys.append(previous) }
        var valid = false
        // Every candidate is computed and compared, so timing does not reveal which one matched.
        for key in keys {
            valid =
                CallRailSignature(signingKey: key.value, algorithm: algorithm).isValid(signature: signature, body: body)
                || valid
        }
        if valid { return .accepted(document: nil) }
        if previousInWindow, case .unavailable(let reason) = credentials.previousSigningKey {
            return .refused(.keyUnavailable(reason))
        }
        return .refused(.signatureInvalid)
    }
}
