import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import OttoCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `POST /webhooks/twilio/{tenant}` and `POST /webhooks/callrail/{tenant}`.
///
/// Order of work: size limit (413), signature (403; before anything touches the database, so
/// forged floods cost no queries), body shape (400), then one insert whose foreign key proves the
/// tenant exists (404). A stored event is acknowledged even when enqueueing fails (the sweep
/// enqueues it later); a repeat delivery is acknowledged and nothing else happens; a database
/// failure is a 503 so the provider retries.
struct WebhookRoutes {
    let configuration: OttoConfiguration
    let postgres: PostgresPool?
    let tasks: any TaskEnqueuer

    static let twilioSignatureHeader = HTTPField.Name("X-Twilio-Signature")!
    static let callRailSignatureHeader = HTTPField.Name("signature")!

    /// Registers the routes on `group`, mounted at `prefix` (`/webhooks`), so they get the
    /// group's middleware (the webhook rate limit runs before the signature check).
    func register(on group: RouterGroup<OttoRequestContext>, prefix: String, table: inout RouteTable) {
        group.post("/twilio/{tenant}") { request, context in
            try await twilio(request, context: context)
        }
        table.add(.post, prefix + "/twilio/{tenant}")
        group.post("/callrail/{tenant}") { request, context in
            try await callRail(request, context: context)
        }
        table.add(.post, prefix + "/callrail/{tenant}")
    }

    func twilio(_ request: Request, context: OttoRequestContext) async throws -> Response {
        let body = try await WebhookBody.read(request, limit: configuration.maxBodyBytes)
        guard let token = configuration.twilioAuthToken?.value else {
            throw Problem(.serviceUnavailable, detail: "Twilio webhooks are not configured (TWILIO_AUTH_TOKEN).")
        }
        let signature = request.headers[Self.twilioSignatureHeader] ?? ""
        let url = signedURL(request)
        let validator = TwilioSignature(authToken: token)
        let isJSON = (request.headers[.contentType] ?? "").lowercased().hasPrefix("application/json")
        let payloadJSON: String
        var fields: [String: String] = [:]
        if isJSON {
            guard validator.isValid(signature: signature, url: url, jsonBody: body) else { throw Self.forbidden }
            guard case .object(let object)? = try? JSONDecoder().decode(JSONValue.self, from: Data(body)) else {
                throw Problem(.badRequest, detail: "The body is not a JSON object.")
            }
            for (key, value) in object { if case .string(let text) = value { fields[key] = text } }
            payloadJSON = String(decoding: body, as: UTF8.self)
        } else {
            let pairs: [(name: String, value: String)]
            do {
                pairs = try FormURLEncoded.parse(String(decoding: body, as: UTF8.self))
            } catch {
                // Unverifiable: refuse as forged rather than reveal that the shape was the problem.
                guard validator.isValid(signature: signature, url: url, parameters: []) else { throw Self.forbidden }
                throw Problem(.badRequest, detail: "The body is not application/x-www-form-urlencoded.")
            }
            guard validator.isValid(signature: signature, url: url, parameters: pairs) else { throw Self.forbidden }
            fields = FormURLEncoded.dictionary(pairs)
            payloadJSON = String(
                decoding: try JSONEncoder().encode(JSONValue.object(fields.mapValues { .string($0) })), as: UTF8.self)
        }
        guard let callSID = fields["CallSid"], !callSID.isEmpty else {
            throw Problem(.badRequest, detail: "The callback has no CallSid.")
        }
        let kind = fields["RecordingSid"] != nil ? "recording" : "call-status"
        try await store(
            request, context: context, provider: .twilio, providerCallID: callSID, eventKind: kind, body: body,
            payloadJSON: payloadJSON)
        var headers = HTTPFields()
        headers[.contentType] = "text/xml"
        return Response(
            status: .ok, headers: headers,
            body: .init(byteBuffer: ByteBuffer(string: "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response/>")))
    }

    func callRail(_ request: Request, context: OttoRequestContext) async throws -> Response {
        let body = try await WebhookBody.read(request, limit: configuration.maxBodyBytes)
        guard let key = configuration.callrailSigningKey?.value else {
            throw Problem(.serviceUnavailable, detail: "CallRail webhooks are not configured (CALLRAIL_SIGNING_KEY).")
        }
        let signature = request.headers[Self.callRailSignatureHeader] ?? ""
        guard
            CallRailSignature(signingKey: key, algorithm: configuration.callrailSignatureAlgorithm)
                .isValid(signature: signature, body: body)
        else { throw Self.forbidden }
        guard case .object(let object)? = try? JSONDecoder().decode(JSONValue.self, from: Data(body)) else {
            throw Problem(.badRequest, detail: "The body is not a JSON object.")
        }
        let kind = Self.callRailEventKind(request: request, payload: object)
        guard let update = CallUpdate.callRail(object, eventKind: kind) else {
            throw Problem(.badRequest, detail: "The webhook has no call id.")
        }
        try await store(
            request, context: context, provider: .callrail, providerCallID: update.providerCallID, eventKind: kind,
            body: body, payloadJSON: String(decoding: body, as: UTF8.self))
        return HealthRoutes.json("{\"status\":\"ok\"}", status: .ok)
    }

    /// `?event=` when the operator configured one URL per CallRail webhook type (recommended).
    /// Otherwise a payload that shows the call happened (answered, a positive duration or a
    /// recording) is a completed call, and anything else a pre-call: CallRail's pre-call payload
    /// carries `answered=false` and `duration=0`, so reading those as a missed call would pin a
    /// terminal status before the call even rang. A missed call sent without `?event=` therefore
    /// stays `ringing`.
    static func callRailEventKind(request: Request, payload: [String: JSONValue]) -> String {
        if let event = request.uri.queryParameters.get("event"),
            ["pre-call", "call-completed", "call-modified"].contains(event)
        {
            return event
        }
        var happened = false
        if case .bool(true)? = payload["answered"] { happened = true }
        switch payload["duration"] {
        case .number(let seconds)? where seconds > 0: happened = true
        case .string(let text)? where (Int(text) ?? 0) > 0: happened = true
        default: break
        }
        if case .string(let url)? = payload["recording"], !url.isEmpty { happened = true }
        return happened ? "call-completed" : "pre-call"
    }

    /// PUBLIC_BASE_URL + the request's path and query: what the provider called and signed.
    func signedURL(_ request: Request) -> String {
        let base = configuration.publicBaseURL ?? "http://\(request.head.authority ?? "localhost")"
        let query = request.uri.query.map { "?" + $0 } ?? ""
        return base + request.uri.path + query
    }

    private func store(
        _ request: Request, context: OttoRequestContext, provider: WebhookProvider, providerCallID: String,
        eventKind: String, body: [UInt8], payloadJSON: String
    ) async throws {
        let tenant = context.parameters.get("tenant") ?? ""
        guard UUIDText.isValid(tenant) else { throw Self.unknownTenant }
        guard let postgres else {
            throw Problem(.serviceUnavailable, detail: "The database is not configured.")
        }
        context.facts.tenantID = tenant
        let stored: (id: String, duplicate: Bool)
        do {
            stored = try await WebhookEventStore(pool: postgres).insert(
                tenantID: tenant, provider: provider, providerCallID: providerCallID, eventKind: eventKind,
                bodySHA256: WebhookDigest.sha256Hex(body), payloadJSON: payloadJSON)
        } catch let error as PostgresError where error.sqlState == "23503" {
            throw Self.unknownTenant
        } catch let error as PostgresError where error.sqlState == "22P02" {
            throw Problem(.badRequest, detail: "The body is not valid JSON text.")
        } catch {
            context.logger.warning("webhook not stored", metadata: ["error": "\(String(reflecting: type(of: error)))"])
            throw Problem(
                .serviceUnavailable, detail: "The webhook could not be stored; retry later.",
                headers: [.retryAfter: "5"])
        }
        if stored.duplicate {
            context.logger.debug("webhook duplicate acknowledged", metadata: ["event_id": "\(stored.id)"])
            return
        }
        do {
            _ = try await tasks.enqueue(
                ProcessWebhookEventTask.self, .init(eventID: stored.id, tenantID: tenant),
                options: EnqueueOptions(tenantID: tenant))
            try await WebhookEventStore(pool: postgres).markEnqueued(tenantID: tenant, eventID: stored.id)
        } catch {
            // Stored is what matters: the sweep enqueues events that were never marked enqueued.
            context.logger.warning(
                "webhook stored but not enqueued; the sweep will pick it up",
                metadata: ["event_id": "\(stored.id)", "error": "\(String(reflecting: type(of: error)))"])
        }
    }

    static let forbidden = Problem(.forbidden, detail: "The webhook signature is missing or invalid.")
    static let unknownTenant = Problem(.notFound, detail: "No such tenant.")
}
