import HTTPTypes
import Hummingbird

/// The methods each route template of the router serves, read from Hummingbird's own list
/// (`Router.routes`) once every route is registered, so that a path served under other
/// methods answers 405 with `Allow`.
struct AllowedMethods: Sendable {
    let routes: [(method: HTTPRequest.Method, path: String)]

    init(routes: [(method: HTTPRequest.Method, path: String)]) {
        self.routes = routes
    }

    init(router: Router<OttoRequestContext>) {
        self.init(routes: router.routes.map { ($0.method, $0.path.description) })
    }

    /// The methods served at a concrete request path (a `{parameter}` segment matches any segment).
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
