import HTTPTypes
import Hummingbird
import OpenAPIRuntime

extension ServerError {
    /// What the generated server code's error means at the HTTP edge. A handler's own `Problem`
    /// (or another `HTTPResponseError`, such as Hummingbird's `HTTPError`) is the underlying
    /// error, as it was thrown. A request that the generated code could not turn into its input
    /// (a query value that is not an integer, an unknown enum value, a body that is not the
    /// documented JSON, an unsupported content type) is the 4xx status the runtime chose,
    /// described by the runtime's cause (it names the parameter, never a server detail). Anything
    /// else is the underlying error, which `ObservabilityMiddleware` logs and answers with a 500.
    var edgeError: any Error {
        switch underlyingError {
        case is any HTTPResponseError:
            return underlyingError
        default:
            guard (400..<500).contains(httpStatus.code) else { return underlyingError }
            return Problem(httpStatus, detail: "The request does not match the API's document: \(causeDescription)")
        }
    }
}
