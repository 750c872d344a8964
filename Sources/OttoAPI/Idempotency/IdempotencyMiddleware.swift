import Crypto
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import OttoCalls
import OttoCore
import OttoProcessKit
import OttoSupport
import OttoTasks

/// `Idempotency-Key` for POST and PATCH on `/v1/*` (draft-ietf-httpapi-idempotency-key-header,
/// with Stripe's semantics), after authentication so every record belongs to a tenant.
///
/// - The first request with a key is recorded as in progress, executed, and its status,
///   selected headers and body stored for 24 hours.
/// - The same key with the same fingerprint (method, path and SHA-256 of the body) replays the
///   stored response with `Idempotent-Replayed: true`.
/// - The same key with a different fingerprint: 422. While the first is still running: 409.
/// - A key longer than 255 characters (or empty): 400.
/// - A handler that throws, or a response body that fails while it is collected, releases the
///   key, so the client can retry it at once.
/// - While the request runs it renews a 60-second lease on the key; a request that dies (its
///   process killed) stops renewing, and a retry of the same request takes the key over once
///   the lease has lapsed, instead of getting 409 for 24 hours.
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
        case .acquired(let lease):
            return try await runOwning(
                key: key, lease: lease, tenantID: identity.tenantID, store: store, context: context
            ) {
                try await next(request, context)
            }
        }
    }

    /// Runs the request that owns `key`, renewing its lease meanwhile, and stores its response.
    /// Whatever fails before the response is collected releases the key.
    private func runOwning(
        key: String, lease: String, tenantID: String, store: IdempotencyStore, context: Context,
        _ handler: () async throws -> Response
    ) async throws -> Response {
        let outcome: (response: Response, body: ByteBuffer)
        do {
            outcome = try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    await Self.renewLease(key: key, lease: lease, tenantID: tenantID, store: store, context: context)
                }
                defer { group.cancelAll() }
                let response = try await handler()
                let sink = CollectingBodyWriter.Sink()
                try await response.body.write(CollectingBodyWriter(sink: sink))
                return (response, sink.buffer)
            }
        } catch {
            try? await store.release(tenantID: tenantID, key: key, lease: lease)
            throw error
        }
        let (response, collected) = outcome
        var headers: [String: String] = [:]
        for name in StoredResponse.keptHeaders {
            if let field = HTTPField.Name(name), let value = response.headers[field] { headers[name] = value }
        }
        let stored = StoredResponse(status: response.status.code, headers: headers, body: Array(buffer: collected))
        do {
            if try await store.complete(tenantID: tenantID, key: key, lease: lease, response: stored) {
                metrics.recordIdempotency(outcome: "stored")
            } else {
                context.logger.warning("idempotency lease was lost before the response was stored")
            }
        } catch {
            context.logger.error("idempotency store failed", metadata: ["error": .string("\(error)")])
            try? await store.release(tenantID: tenantID, key: key, lease: lease)
        }
        var replay = response
        replay.body = .init(byteBuffer: collected)
        return replay
    }

    /// Renews the lease every third of its length until cancelled (the request ended).
    private static func renewLease(
        key: String, lease: String, tenantID: String, store: IdempotencyStore, context: Context
    ) async {
        let every = Duration.seconds(IdempotencyStore.leaseSeconds) / 3
        while !Task.isCancelled {
            do {
                // The shared timer: the request usually ends first, and a cancelled Task.sleep
                // would hold its timer for the rest of the period.
                try await DeadlineTimer.shared.sleep(for: every)
            } catch {
                return
            }
            do {
                try await store.renew(tenantID: tenantID, key: key, lease: lease)
            } catch {
                context.logger.warning("idempotency lease not renewed", metadata: ["error": .string("\(error)")])
            }
        }
    }

    /// Hex SHA-256 of method, path and the body's SHA-256.
    static func fingerprint(method: String, path: String, body: ByteBuffer) -> String {
        let bodyDigest = SHA256.hash(data: Array(body.readableBytesView))
        var hasher = SHA256()
        hasher.update(data: Array("\(method)\n\(path)\n".utf8))
        hasher.update(data: Array(bodyDigest))
        return Hex.encode(hasher.finalize())
    }
}

extension HTTPField.Name {
    static let idempotencyKey = HTTPField.Name("Idempotency-Key")!
    static let idempotentReplayed = HTTPField.Name("Idempotent-Replayed")!
}
