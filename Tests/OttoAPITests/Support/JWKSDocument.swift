import NIOConcurrencyHelpers

/// The JWKS a test server serves; replaced to simulate key rotation.
final class JWKSDocument: Sendable {
    private let storage = NIOLockedValueBox("")
    func set(_ value: String) { storage.withLockedValue { $0 = value } }
    var value: String { storage.withLockedValue { $0 } }
}
