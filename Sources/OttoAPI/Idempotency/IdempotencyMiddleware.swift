import Crypto
import HTTPTypes
import Hummingbird
import NIOCore

/// `Idempotency-Key` for POST and PATCH on `/v1/*` (draft-ietf-httpapi-idempotency-key-header,
/// with Stripe's semantics), after authentication so every record belongs to a tenant.
///
/// - The first request with a key is recorded as in progress, executed, and its status,
///   selected headers and body stored for 24 hours.
/// - The same key with the same fingerprint (method, path and SHA-256 of the body) replays the
///   stored response with `Idempotent-Replayed: true`.
/// - The same key with a different fingerprint: 422. While the first is still running: 409.
/// - A key longer than 255 characters (or empty): 400.
/// - A handler that throws releases the key, so the client can retry it.
struct IdempotencyMiddleware: RouterMiddleware {
    typealias Context = OttoRequestContext
    let store: IdempotencyStore?
    let metrics: APIMetrics
    let maxBodyBytes: Int

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard request.method == .post || request.method == .patch,
            let key = request.headers[.idempotencyKey]
        else { return try await next(request, context) }
        guard !key.isEmpty, key.utf8.count <= 255 else {
            throw Problem(.badRequest, detail: "Idempotency-Key must be 1 to 255 characters.")
        }
        guard let identity = context.identity else { return try await next(request, context) }
        guard let store else {
            throw Problem(.serviceUnavailable, detail: "Idempotency keys need a database.")
        }

        var request = request
        let body = try await request.collectBody(upTo: maxBodyBytes)
        let fingerprint = Self.fingerprint(method: request.method.rawValue, path: request.uri.path, body: body)

        let claim: IdempotencyStore.Claim
        do {
            claim = try await store.claim(tenantID: identity.tenantID, key: key, fingerprint: fingerprint)
        } catch {
            context.logger.error("idempotency claim failed", metadata: ["error": .string("\(error)")])
            throw Problem(.serviceUnavailable, detail: "The idempotency record could not be read; retry shortly.")
        }
        switch claim {
        case .inProgress(let stored) where stored != fingerprint, .completed(let stored, _) where stored != fingerprint:
            metrics.recordIdempotency(outcome: "mismatch")
            throw Problem(
                .unprocessableContent,
                detail: "This Idempotency-Key was used with a different request (method, path or body).")
        case .inProgress:
            metrics.recordIdempotency(outcome: "conflict")
            var headers = HTTPFields()
            headers[.retryAfter] = "1"
            throw Problem(
                .conflict, detail: "A request with this Idempotency-Key is still being processed.", headers: headers)
        case .completed(_, let stored):
            metrics.recordIdempotency(outcome: "replayed")
            var headers = HTTPFields()
            for (name, value) in stored.headers {
                if let field = HTTPField.Name(name) { headers[field] = value }
            }
            headers[.idempotentReplayed] = "true"
            return Response(
                status: .init(code: stored.status), headers: headers,
                body: .init(byteBuffer: ByteBuffer(bytes: stored.body)))
        case .acquired:
            break
        }

        let response: Response
        do {
            response = try await next(request, context)
        } catch {
            try? await store.release(tenantID: identity.tenantID, key: key)
            throw error
        }
        let sink = CollectingBodyWriter.Sink()
        try await response.body.write(CollectingBodyWriter(sink: sink))
        let collected = sink.buffer
        var headers: [String: String] = [:]
        for name in StoredResponse.keptHeaders {
            if let field = HTTPField.Name(name), let value = response.headers[field] { headers[name] = value }
        }
        let stored = StoredResponse(status: response.status.code, headers: headers, body: Array(buffer: collected))
        do {
            try await store.complete(tenantID: identity.tenantID, key: key, response: stored)
            metrics.recordIdempotency(outcome: "stored")
        } catch {
            context.logger.error("idempotency store failed", metadata: ["error": .string("\(error)")])
            try? await store.release(tenantID: identity.tenantID, key: key)
        }
        var replay = response
        replay.body = .init(byteBuffer: collected)
        return replay
    }

    /// Hex SHA-256 of method, path and the body's SHA-256.
    static func fingerprint(method: String, path: String, body: ByteBuffer) -> String {
        let bodyDigest = SHA256.hash(data: Array(body.readableBytesView))
        var hasher = SHA256()
        hasher.update(data: Array("\(method)\n\(path)\n".utf8))
        hasher.update(data: Array(bodyDigest))
        return IdempotencyStore.hex(Array(hasher.finalize()))
    }
}

extension HTTPField.Name {
    static let idempotencyKey = HTTPField.Name("Idempotency-Key")!
    static let idempotentReplayed = HTTPField.Name("Idempotent-Replayed")!
}
