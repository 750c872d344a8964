import Foundation
import JWTKit
import _CryptoExtras

/// Clerk-shaped session tokens signed with a key the tests generate (never a real key).
public enum TestTokens {
    public static let privateKey: JWTKit.Insecure.RSA.PrivateKey = {
        try! JWTKit.Insecure.RSA.PrivateKey(backing: _RSA.Signing.PrivateKey(keySize: .bits2048))
    }()
    public static let otherKey: JWTKit.Insecure.RSA.PrivateKey = {
        try! JWTKit.Insecure.RSA.PrivateKey(backing: _RSA.Signing.PrivateKey(keySize: .bits2048))
    }()
    public static var publicKeyPEM: String { privateKey.publicKey.pemRepresentation }
    /// The test instance's Frontend API host, its issuer and the publishable key that names it.
    public static let frontendAPIHost = "clerk.otto.test"
    public static let issuer = "https://clerk.otto.test"
    public static let publishableKey = "pk_test_" + Data("clerk.otto.test$".utf8).base64EncodedString()

    /// A signed token; `org` nil means no organisation; `version` 2 puts it in `o.id`; `issuer`
    /// nil leaves `iss` out.
    public static func make(
        user: String = "user_test", org: String? = "org_test", version: Int = 2, expiresIn: Double = 60,
        notBefore: Double? = nil, azp: String? = nil, key: JWTKit.Insecure.RSA.PrivateKey = privateKey,
        kid: String? = nil, issuer: String? = TestTokens.issuer
    ) async throws -> String {
        let now = Date().timeIntervalSince1970
        var claims = Claims(
            sub: user, iss: issuer, exp: now + expiresIn, nbf: notBefore.map { now + $0 }, azp: azp)
        if let org {
            if version == 2 {
                claims.o = .init(id: org)
                claims.v = 2
            } else {
                claims.org_id = org
            }
        }
        let keys = JWTKeyCollection()
        await keys.add(rsa: key, digestAlgorithm: .sha256, kid: kid.map { JWKIdentifier(string: $0) })
        return try await keys.sign(claims, kid: kid.map { JWKIdentifier(string: $0) })
    }

    /// The JWKS document for `key` under `kid`.
    public static func jwks(_ entries: [(key: JWTKit.Insecure.RSA.PrivateKey, kid: String)]) throws -> String {
        let keys = try entries.map { entry -> String in
            let (modulus, exponent) = try entry.key.publicKey.getKeyPrimitives()
            return "{\"kty\":\"RSA\",\"alg\":\"RS256\",\"use\":\"sig\",\"kid\":\"\(entry.kid)\","
                + "\"n\":\"\(base64url(modulus))\",\"e\":\"\(base64url(exponent))\"}"
        }
        return "{\"keys\":[\(keys.joined(separator: ","))]}"
    }

    public static func base64url(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// The claims of a Clerk session token, as Clerk writes them (OttoAPI's `ClerkClaims` reads them).
    struct Claims: JWTPayload {
        var sub: String
        var iss: String?
        var exp: Double?
        var nbf: Double?
        var azp: String?
        /// v1 tokens: the active organisation.
        var org_id: String?
        /// v2 tokens: the active organisation as `{"id": …}`.
        var o: Organisation?
        /// The token format version (2 for v2; absent in v1).
        var v: Int?

        struct Organisation: Codable, Sendable {
            var id: String?
        }

        func verify(using algorithm: some JWTAlgorithm) async throws {}
    }
}
