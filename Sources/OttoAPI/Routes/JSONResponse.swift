import HTTPTypes
import Hummingbird
import NIOCore

/// The JSON answers of the hand-written routes (webhook acknowledgements, `/openapi.json`):
/// never cached, like the generated operations' answers (`ResponseHeadersMiddleware`).
enum JSONResponse {
    static func make(_ text: String, status: HTTPResponse.Status) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        headers[.cacheControl] = "no-store"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
