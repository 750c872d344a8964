import NIOConcurrencyHelpers

/// Holds the router's allowed methods once every route is registered (the outermost
/// middleware, which answers 405, is added before the routes).
final class AllowedMethodsBox: Sendable {
    private let allowed = NIOLockedValueBox(AllowedMethods(routes: []))

    func set(_ value: AllowedMethods) { allowed.withLockedValue { $0 = value } }
    var value: AllowedMethods { allowed.withLockedValue { $0 } }
}
