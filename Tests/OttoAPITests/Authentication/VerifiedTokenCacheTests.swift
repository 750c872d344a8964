import Foundation
import HTTPTypes
import HummingbirdTesting
import OttoCalls
import OttoCore
import OttoProcessKit
import OttoTasks
import OttoTestSupport
import Testing

@testable import OttoAPI

/// A verified session token is answered from memory for a few seconds (no RS256), and no
/// longer than that once the verifier would refuse it: against a real loopback JWKS endpoint
/// whose key is withdrawn.
@Suite("Verified-token cache")
struct VerifiedTokenCacheTests {
    @Test(
        "a token whose JWKS key was withdrawn stays accepted from the cache within the bound, and is refused after it"
    )
    func withdrawnKeyRefusedAfterBound() async throws {
        var settings = try TestApp.guardedEnvironment("tokencache")
        settings["CLERK_JWT_KEY"] = nil
        settings["CLERK_PUBLISHABLE_KEY"] = TestTokens.publishableKey
        let environment = settings
        let jwks = JWKSStandIn()
        jwks.serve(try TestTokens.jwks([(TestTokens.privateKey, "k1")]))
        let old = try await TestTokens.make(expiresIn: 600, kid: "k1")
        let rotated = try await TestTokens.make(key: TestTokens.otherKey, kid: "k2")
        try await jwks.run { url in
            // A refresh interval of 1 s (production: 10 s) lets the rotation be fetched well
            // inside the cache's 10-second bound.
            let source = HTTPJWKSSource(url: url, minimumRefreshInterval: .seconds(1))
            try await TestApp.run(environment: environment, jwksSource: source, migrate: true) { client, _, _ in
                // setup: the old token is verified (k1 fetched) and so cached.
                let cachedAt = ContinuousClock.now
                try await client.execute(uri: "/v1/me", method: .get, headers: Probe.bearer(old)) {
                    #expect($0.status == .ok)
                }
                // Clerk rotates: k1 withdrawn, k2 published; a k2 token makes the verifier fetch
                // the new set (after the 1 s throttle), so the verifier no longer knows k1.
                jwks.serve(try TestTokens.jwks([(TestTokens.otherKey, "k2")]))
                let fetched = await eventually(timeout: .seconds(30), every: .milliseconds(200)) {
                    (try? await client.execute(uri: "/v1/me", method: .get, headers: Probe.bearer(rotated)) {
                        $0.status
                    }) == .ok
                }
                #expect(fetched)
                #expect(jwks.fetches == 2)
                // MUT, validate: within the bound, the old token is answered from the cache
                // (the verifier alone would refuse it: k1 unknown after a successful fetch).
                let sinceCached = ContinuousClock.now - cachedAt
                try #require(sinceCached < .seconds(8), "the rotation took \(sinceCached); the bound is 10 s")
                try await client.execute(uri: "/v1/me", method: .get, headers: Probe.bearer(old)) {
                    #expect($0.status == .ok)
                }
                // Once the bound has passed, the old token goes to the verifier again and is refused
                // (its exp is 10 minutes away: only the bound ends its entry).
                let refused = await eventually(timeout: .seconds(60), every: .milliseconds(500)) {
                    (try? await client.execute(uri: "/v1/me", method: .get, headers: Probe.bearer(old)) {
                        $0.status
                    }) == .unauthorized
                }
                #expect(refused)
                #expect(ContinuousClock.now - cachedAt >= .seconds(VerifiedTokenCache.defaultBound))
                try await client.execute(uri: "/v1/me", method: .get, headers: Probe.bearer(rotated)) {
                    #expect($0.status == .ok)
                }
            }
        }
    }

    @Test("the cache keeps at most its capacity (CLOCK eviction) and ends an entry at min(exp, verified + bound)")
    func capacityAndClock() throws {
        let cache = VerifiedTokenCache(capacity: 3, bound: 60)
        let now = 1_000.0
        func claims(_ user: String) -> ClerkClaims { ClerkClaims(sub: user, exp: now + 600) }
        let keys = (0..<5).map { VerifiedTokenCache.key("token-\($0)") }
        for index in 0..<3 { cache.insert(claims("u\(index)"), for: keys[index], now: now) }
        // Token 0 is used; inserting token 3 evicts token 1 (the first not referenced).
        #expect(cache.claims(for: keys[0], now: now)?.sub == "u0")
        cache.insert(claims("u3"), for: keys[3], now: now)
        #expect(cache.count == 3)
        #expect(cache.claims(for: keys[1], now: now) == nil)
        #expect(cache.claims(for: keys[0], now: now)?.sub == "u0")
        #expect(cache.claims(for: keys[3], now: now)?.sub == "u3")
        // The bound: an entry is a miss once `bound` has passed since it was verified.
        #expect(cache.claims(for: keys[0], now: now + 61) == nil)
        // A token closer to its exp than the bound: the entry ends at exp.
        cache.insert(ClerkClaims(sub: "u4", exp: now + 3), for: keys[4], now: now)
        #expect(cache.claims(for: keys[4], now: now + 2.9)?.sub == "u4")
        #expect(cache.claims(for: keys[4], now: now + 3.1) == nil)
    }
}
