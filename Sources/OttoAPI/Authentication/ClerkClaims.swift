import JWTKit

/// The claims Otto reads from a Clerk session token (v1 and v2 formats).
///
/// Time claims and the issuer are checked by `ClerkTokenVerifier` (time with its leeway),
/// after the signature.
struct ClerkClaims: JWTPayload, Equatable {
    /// The user id.
    var sub: String
    /// The issuer: the instance's Frontend API, `https://<host>`.
    var iss: String?
    var exp: Double?
    var nbf: Double?
    /// The origin the token was issued to.
    var azp: String?
    /// v1 tokens: the active organisation.
    var org_id: String?
    /// v2 tokens: the active organisation as `{"id": …}`.
    var o: Organisation?
    /// The token format version (2 for v2; absent in v1).
    var v: Int?

    struct Organisation: Codable, Sendable, Equatable {
        var id: String?
    }

    /// The active organisation, whichever format the token uses.
    var organisationID: String? {
        if let id = o?.id, !id.isEmpty { return id }
        if let id = org_id, !id.isEmpty { return id }
        return nil
    }

    func verify(using algorithm: some JWTAlgorithm) async throws {}
}
