import OttoCalls

/// Where the Clerk instance's JSON Web Key Set comes from. Production fetches it over HTTPS;
/// tests serve their own keys from a loopback server through the same HTTP implementation.
protocol JWKSSource: Sendable {
    /// The JWKS document (`{"keys":[…]}`) as JSON text.
    func fetchJWKS() async throws -> String
    /// The shortest time between two fetches, so tokens naming random key ids cannot turn
    /// into a flood of requests to Clerk.
    var minimumRefreshInterval: Duration { get }
}
