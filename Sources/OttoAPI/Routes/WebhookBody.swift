import HTTPTypes
import Hummingbird
import NIOCore

/// Reads a webhook body under `MAX_BODY_BYTES`: a declared or actual larger body is a 413
/// before any other work.
enum WebhookBody {
    static func read(_ request: Request, limit: Int) async throws -> [UInt8] {
        if let declared = request.headers[.contentLength].flatMap({ Int($0) }), declared > limit {
            throw Problem(.contentTooLarge, detail: "The body is larger than \(limit) bytes.")
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: limit)
        } catch {
            throw Problem(.contentTooLarge, detail: "The body is larger than \(limit) bytes.")
        }
        return Array(buffer.readableBytesView)
    }
}
