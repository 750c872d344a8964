import HTTPTypes
import Hummingbird

/// The routes the application serves (method and path template), recorded as they are added,
/// so that a path served under other methods answers 405 with `Allow`, and tests can compare
/// the router with the OpenAPI document.
struct RouteTable: Sendable {
    private(set) var routes: [(method: HTTPRequest.Method, path: String)] = []

    mutating func add(_ method: HTTPRequest.Method, _ path: String) {
        routes.append((method, path))
    }

    /// The methods served at a concrete request path.
    func methods(matching path: String) -> [HTTPRequest.Method] {
        let segments = path.split(separator: "/", omittingEmptySubsequences: true)
        return routes.filter { route in
            let template = route.path.split(separator: "/", omittingEmptySubsequences: true)
            guard template.count == segments.count else { return false }
            return zip(template, segments).allSatisfy { pattern, segment in
                pattern.hasPrefix("{") || pattern.hasPrefix(":") || pattern == segment
            }
        }.map(\.method)
    }
}
