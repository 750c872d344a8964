// The one piece of `ClerkClaims` (which needs JWTKit) that `UnverifiedToken` reads: the fuzz
// module compiles the parsers without their packages.
enum ClerkClaims {
    struct Organisation: Codable, Sendable, Equatable {
        var id: String?
    }
}
