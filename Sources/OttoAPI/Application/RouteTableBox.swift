import NIOConcurrencyHelpers

/// Holds the route table once routes are registered (the outer middleware is added first).
final class RouteTableBox: Sendable {
    private let table = NIOLockedValueBox(RouteTable())

    func set(_ value: RouteTable) { table.withLockedValue { $0 = value } }
    var value: RouteTable { table.withLockedValue { $0 } }
}
