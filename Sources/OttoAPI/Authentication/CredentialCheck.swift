/// What session verification found: verified claims, or the refusal the request will get
/// (after the rate limit has charged the client's address for it).
enum CredentialCheck: Sendable {
    case verified(ClerkClaims)
    case refused(Problem)

    /// The rate-limit bucket: the verified organisation (one per tenant, known without the
    /// database), the verified user when the token has no organisation, and the client's
    /// address for every request whose credentials failed.
    func rateLimitSubject(clientAddress: String) -> String {
        if case .verified(let claims) = self {
            if let organisation = claims.organisationID, organisation.utf8.count <= 128 { return "org:" + organisation }
            if !claims.sub.isEmpty, claims.sub.utf8.count <= 128 { return "user:" + claims.sub }
        }
        return "ip:" + clientAddress
    }
}
