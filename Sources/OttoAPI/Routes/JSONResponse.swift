import HTTPTypes
import Hummingbird
import NIOCore

/// The JSON answers of the hand-written routes (webhook acknowledgements, `/openapi.json`):
/// never cached, like the generated operations' answers (`ResponseHeadersMiddleware`).
enum JSONResponse {
    /// `value` encoded by `OttoJSON` (keys sorted).
    static func make(_ value: some Encodable, status: HTTPResponse.Status) throws -> Response {
        make(bytes: try OttoJSON.encode(value), status: status)
    }

    /// A document that already is JSON, byte for byte (the embedded OpenAPI document).
    static func make(document: String, status: HTTPResponse.Status) -> Response {
        make(bytes: Array(document.utf8), status: status)
    }

    private static func make(bytes: [UInt8], status: HTTPResponse.Status) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        headers[.cacheControl] = "no-store"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
