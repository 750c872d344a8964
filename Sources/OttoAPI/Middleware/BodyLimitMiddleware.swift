import HTTPTypes
import Hummingbird
import NIOCore
import OttoTasks

/// Refuses bodies over `MAX_BODY_BYTES` with 413 before any other work (rate limiting,
/// authentication, tenant lookup, signature checks).
///
/// A declared `Content-Length` over the limit is refused without reading a byte. A body of
/// unknown length (chunked) is collected with the limit as its bound, so it is never buffered
/// beyond the limit either.
struct BodyLimitMiddleware: RouterMiddleware {
    typealias Context = OttoRequestContext
    let maxBytes: Int

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        if let declared = request.headers[.contentLength] {
            guard let length = Int(declared), length >= 0 else {
                throw Problem(.badRequest, detail: "Content-Length is not a valid length.")
            }
            guard length <= maxBytes else { throw tooLarge }
            return try await next(request, context)
        }
        guard request.headers[.transferEncoding] != nil else { return try await next(request, context) }
        var request = request
        do {
            _ = try await request.collectBody(upTo: maxBytes)
        } catch is NIOTooManyBytesError {
            throw tooLarge
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw tooLarge
        }
        return try await next(request, context)
    }

    private var tooLarge: Problem {
        Problem(.contentTooLarge, detail: "The request body exceeds the limit of \(maxBytes) bytes.")
    }
}
