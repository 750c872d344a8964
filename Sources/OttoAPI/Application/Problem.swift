import HTTPTypes
import Hummingbird
import NIOCore
import OttoTasks

/// An RFC 9457 problem: the one shape every Otto error takes on the wire.
///
/// A Hummingbird `HTTPResponseError`: wherever it is thrown, it renders itself as
/// `application/problem+json` carrying the request id, so no layer needs to know it.
struct Problem: HTTPResponseError, Sendable {
    var status: HTTPResponse.Status
    var title: String
    var detail: String
    /// Extra headers (Allow, Retry-After, rate-limit headers).
    var headers: HTTPFields = [:]

    init(_ status: HTTPResponse.Status, title: String? = nil, detail: String, headers: HTTPFields = [:]) {
        self.status = status
        self.title = title ?? status.reasonPhrase
        self.detail = detail
        self.headers = headers
    }

    /// A stable `type` URI per status, so clients can branch on it.
    var type: String { "https://otto.dev/problems/\(status.code)" }

    /// The body: `type`, `title`, `status`, `detail` and `request_id`.
    private struct Body: Encodable {
        var type: String
        var title: String
        var status: Int
        var detail: String
        var request_id: String
    }

    /// The problem as an `application/problem+json` response carrying the request id.
    func response(requestID: String) -> Response {
        let body = Body(type: type, title: title, status: status.code, detail: detail, request_id: requestID)
        let bytes = (try? OttoJSON.encode(body)) ?? Array("{}".utf8)
        var fields = headers
        fields[.contentType] = "application/problem+json"
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// `HTTPResponseError`: the response with the request id `ObservabilityMiddleware` assigned.
    func response(from request: Request, context: some RequestContext) -> Response {
        response(requestID: (context as? OttoRequestContext)?.requestID ?? "")
    }
}
