import HTTPTypes
import Hummingbird

/// Where a Clerk session token travels: `Authorization: Bearer …`, or the `__session` cookie
/// that Clerk sets for same-site requests.
enum SessionToken {
    static func find(in request: Request) -> String? {
        if let authorization = request.headers[.authorization] {
            let lowered = authorization.prefix(7).lowercased()
            if lowered == "bearer " {
                let token = authorization.dropFirst(7).drop(while: { $0 == " " })
                return token.isEmpty ? nil : String(token)
            }
        }
        for cookieHeader in request.headers[values: .cookie] {
            for pair in cookieHeader.split(separator: ";") {
                let trimmed = pair.drop(while: { $0 == " " })
                if trimmed.hasPrefix("__session=") {
                    let value = trimmed.dropFirst("__session=".count)
                    return value.isEmpty ? nil : String(value)
                }
            }
        }
        return nil
    }
}
