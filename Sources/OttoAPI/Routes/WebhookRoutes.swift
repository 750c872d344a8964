import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import OttoCalls
import OttoCore
import OttoProcessKit
import OttoSupport
import OttoTasks

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `POST /webhooks/twilio/{tenant}`, `POST /webhooks/twilio/{tenant}/recording` (Twilio's
/// recording status callback, which starts the call-analysis pipeline once processed) and
/// `POST /webhooks/callrail/{tenant}`.
///
/// Order of work: size limit (413); verification, with no database work (Twilio: the auth
/// token over the URL, which names the tenant, and the configured account; CallRail: the
/// tenant's credentials from ``WebhookCredentialCache``); then the rate limit, charged to the
/// tenant when verified and to the client address otherwise (429 once spent), so forgeries
/// never spend a tenant's budget; then refusals (403, 404), body shape (400) and one insert
/// whose foreign key proves the tenant exists (404). A stored event is acknowledged even when
/// enqueueing fails (the sweep enqueues it later); a repeat delivery, recognised by the
/// canonical form of its body, is acknowledged and nothing else happens; a database failure is
/// a 503 so the provider retries.
struct WebhookRoutes {
    let configuration: APIProcessConfiguration
    /// Where deliveries are stored; nil without a database.
    let events: WebhookEventStore?
    let tasks: any TaskEnqueuer
    /// Tenants' CallRail credentials; nil without a database.
    let credentials: WebhookCredentialCache?
    let limits: WebhookRateLimit

    static let twilioSignatureHeader = HTTPField.Name("X-Twilio-Signature")!
    static let callRailSignatureHeader = HTTPField.Name("signature")!

    /// Registers the routes on `group` (mounted at `/webhooks`).
    func register(on group: RouterGroup<OttoRequestContext>) {
        group.post("/twilio/{tenant}") { request, context in
            try await twilio(request, context: context, callback: .status)
        }
        group.post("/twilio/{tenant}/recording") { request, context in
            try await twilio(request, context: context, callback: .recording)
        }
        group.post("/callrail/{tenant}") { request, context in
            try await callRail(request, context: context)
        }
    }

    // MARK: Twilio

    /// A verified Twilio delivery, ready to store.
    struct TwilioDelivery {
        /// The fields with U+0000 written as `\u0000`, as the stored payload has them.
        var fields: [String: String]
        var digest: String
        var payloadJSON: String
    }

    /// Which Twilio callback a route receives. Both are verified, limited and stored alike (the
    /// signature covers the route's own URL); the status route also takes recording callbacks,
    /// as it always has.
    enum TwilioCallback {
        /// Voice status callbacks, and recording callbacks sent there.
        case status
        /// The recording status callback: it must name its recording.
        case recording
    }

    func twilio(_ request: Request, context: OttoRequestContext, callback: TwilioCallback) async throws -> Response {
        let body = try await WebhookBody.read(request, limit: configuration.http.maxBodyBytes)
        let (verified, outcome) = checkTwilio(request, body: body)
        let tenant = Self.tenantID(context)
        guard verified, let tenant else {
            return try await limits.charge(.clientAddress, request: request, context: context) {
                if !verified, case .failure(let problem) = outcome { throw problem }
                throw Self.unknownTenant  // verified, but the path names no tenant id
            }
        }
        return try await limits.charge(.tenant(tenant), request: request, context: context) {
            let delivery = try outcome.get()
            guard let callSID = delivery.fields["CallSid"], !callSID.isEmpty else {
                throw Problem(.badRequest, detail: "The callback has no CallSid.")
            }
            let recordingSID = delivery.fields["RecordingSid"]
            if callback == .recording, recordingSID?.isEmpty ?? true {
                throw Problem(.badRequest, detail: "The recording callback has no RecordingSid.")
            }
            let kind = recordingSID != nil ? "recording" : "call-status"
            try await store(
                context: context, tenant: tenant, provider: .twilio, providerCallID: callSID, eventKind: kind,
                digest: delivery.digest, payloadJSON: delivery.payloadJSON)
            var headers = HTTPFields()
            headers[.contentType] = "text/xml"
            return Response(
                status: .ok, headers: headers,
                body: .init(byteBuffer: ByteBuffer(string: "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response/>")))
        }
    }

    /// Verifies a Twilio delivery without I/O: whether its credentials hold (the signature under
    /// `TWILIO_AUTH_TOKEN` and, when configured, `TWILIO_ACCOUNT_SID`), and the delivery or the
    /// problem to answer.
    func checkTwilio(_ request: Request, body: [UInt8]) -> (verified: Bool, Result<TwilioDelivery, Problem>) {
        guard let token = configuration.webhooks.twilio.authToken?.value else {
            return (
                false,
                .failure(
                    Problem(.serviceUnavailable, detail: "Twilio webhooks are not configured (TWILIO_AUTH_TOKEN)."))
            )
        }
        let signature = request.headers[Self.twilioSignatureHeader] ?? ""
        let url = signedURL(request)
        let validator = TwilioSignature(authToken: token)
        let isJSON = (request.headers[.contentType] ?? "").lowercased().hasPrefix("application/json")
        let delivery: TwilioDelivery
        if isJSON {
            guard validator.isValid(signature: signature, url: url, jsonBody: body) else {
                return (false, .failure(Self.forbidden))
            }
            guard let document = try? JSONDocument(parsing: body), document.isObject,
                case .object(let object)? = try? JSONDecoder().decode(
                    JSONValue.self, from: Data(document.storable.utf8))
            else {
                return (true, .failure(Problem(.badRequest, detail: "The body is not a JSON object.")))
            }
            var fields: [String: String] = [:]
            for (key, value) in object { if case .string(let text) = value { fields[key] = text } }
            delivery = TwilioDelivery(
                fields: fields, digest: WebhookDigest.canonicalSHA256(json: document), payloadJSON: document.storable)
        } else {
            let pairs: [(name: String, value: String)]
            do {
                pairs = try FormURLEncoded.parse(String(decoding: body, as: UTF8.self))
            } catch {
                // Unverifiable: refuse as forged rather than reveal that the shape was the problem.
                guard validator.isValid(signature: signature, url: url, parameters: []) else {
                    return (false, .failure(Self.forbidden))
                }
                return (
                    true, .failure(Problem(.badRequest, detail: "The body is not application/x-www-form-urlencoded."))
                )
            }
            guard validator.isValid(signature: signature, url: url, parameters: pairs) else {
                return (false, .failure(Self.forbidden))
            }
            var fields: [String: String] = [:]
            for (name, value) in FormURLEncoded.dictionary(pairs) {
                fields[JSONDocument.escapingNUL(name)] = JSONDocument.escapingNUL(value)
            }
            delivery = TwilioDelivery(
                fields: fields, digest: WebhookDigest.canonicalSHA256(form: pairs),
                payloadJSON: JSONDocument(stringFields: fields).storable)
        }
        if let account = configuration.webhooks.twilio.accountSID,
            (delivery.fields["AccountSid"] ?? delivery.fields["account_sid"]) != account
        {
            return (
                false,
                .failure(
                    Problem(
                        .forbidden, detail: "The webhook's AccountSid is not this deployment's Twilio account."))
            )
        }
        return (true, .success(delivery))
    }

    /// PUBLIC_BASE_URL + the request's path and query: what the provider called and signed.
    func signedURL(_ request: Request) -> String {
        let base = configuration.webhooks.publicBaseURL ?? "http://\(request.head.authority ?? "localhost")"
        let query = request.uri.query.map { "?" + $0 } ?? ""
        return base + request.uri.path + query
    }

    // MARK: CallRail

    func callRail(_ request: Request, context: OttoRequestContext) async throws -> Response {
        let body = try await WebhookBody.read(request, limit: configuration.http.maxBodyBytes)
        let signature = request.headers[Self.callRailSignatureHeader] ?? ""
        guard let tenant = Self.tenantID(context) else {
            return try await limits.charge(.clientAddress, request: request, context: context) {
                throw Self.unknownTenant
            }
        }
        guard let credentials else {
            return try await limits.charge(.clientAddress, request: request, context: context) {
                throw Problem(.serviceUnavailable, detail: "The database is not configured.")
            }
        }
        let acceptance = CallRailAcceptance(
            fallbackKey: configuration.webhooks.callrailSigningKey,
            algorithm: configuration.webhooks.callrailSignatureAlgorithm)
        let verdict: CallRailAcceptance.Verdict
        switch await credentials.credentials(for: tenant) {
        case .unavailable:
            return try await limits.charge(.clientAddress, request: request, context: context) {
                throw Problem(
                    .serviceUnavailable, detail: "Tenant credentials cannot be read; retry later.",
                    headers: [.retryAfter: "5"])
            }
        case .unknown:
            verdict = .refused(.unknownTenant)
        case .found(let found):
            let first = acceptance.decide(credentials: found, signature: signature, body: body, now: UnixTime.now())
            // A key rotated or a company bound since the last load: reload (at most once a second).
            if case .refused(let refusal) = first, [.signatureInvalid, .companyMismatch, .notBound].contains(refusal),
                let fresh = await credentials.refreshedAfterFailure(for: tenant)
            {
                verdict = acceptance.decide(credentials: fresh, signature: signature, body: body, now: UnixTime.now())
            } else {
                verdict = first
            }
        }
        switch verdict {
        case .refused(let refusal):
            return try await limits.charge(.clientAddress, request: request, context: context) {
                throw Self.problem(refusal, tenant: tenant)
            }
        case .accepted(let parsed):
            return try await limits.charge(.tenant(tenant), request: request, context: context) {
                guard let document = parsed ?? (try? JSONDocument(parsing: body)), document.isObject,
                    case .object(let object)? = try? JSONDecoder().decode(
                        JSONValue.self, from: Data(document.storable.utf8))
                else {
                    throw Problem(.badRequest, detail: "The body is not a JSON object.")
                }
                let kind = Self.callRailEventKind(request: request, payload: object)
                guard let update = CallUpdate.callRail(object, eventKind: kind) else {
                    throw Problem(.badRequest, detail: "The webhook has no call id.")
                }
                try await store(
                    context: context, tenant: tenant, provider: .callrail, providerCallID: update.providerCallID,
                    eventKind: kind, digest: WebhookDigest.canonicalSHA256(json: document),
                    payloadJSON: document.storable)
                return try JSONResponse.make(WebhookAcknowledgement(), status: .ok)
            }
        }
    }

    /// The problem for a refused CallRail webhook; the details say what to configure, never a key.
    static func problem(_ refusal: CallRailAcceptance.Refusal, tenant: String) -> Problem {
        switch refusal {
        case .unknownTenant:
            return unknownTenant
        case .notBound:
            return Problem(
                .forbidden,
                detail: "Tenant \(tenant) is not bound to a CallRail company, so its CallRail webhooks cannot be "
                    + "verified: run `otto-api tenants update \(tenant) --callrail-company-id …` (verified with "
                    + "CALLRAIL_SIGNING_KEY) or `otto-api tenants update \(tenant) --callrail-signing-key-file …`.")
        case .fallbackKeyNotConfigured:
            return Problem(
                .serviceUnavailable,
                detail:
                    "This tenant's CallRail webhooks are verified with CALLRAIL_SIGNING_KEY, which is not set; set it, "
                    + "or give the tenant its own key (`otto-api tenants update \(tenant) --callrail-signing-key-file …`)."
            )
        case .keyUnavailable(.noSecretsKey):
            return Problem(
                .serviceUnavailable,
                detail: "This tenant's CallRail signing key is stored encrypted and TENANT_SECRETS_KEY is not set.")
        case .keyUnavailable(.doesNotOpen):
            return Problem(
                .serviceUnavailable,
                detail: "This tenant's CallRail signing key does not open with the configured TENANT_SECRETS_KEY.")
        case .signatureInvalid:
            return forbidden
        case .bodyNotJSON:
            return Problem(.badRequest, detail: "The body is not a JSON object.")
        case .companyMismatch:
            return Problem(
                .forbidden, detail: "The webhook does not name the CallRail company this tenant is bound to.")
        }
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

    // MARK: Storing

    /// The path's tenant id in lower case, or nil when it is not a UUID.
    static func tenantID(_ context: OttoRequestContext) -> String? {
        guard let text = context.parameters.get("tenant"), UUIDText.isValid(text) else { return nil }
        return text.lowercased()
    }

    private func store(
        context: OttoRequestContext, tenant: String, provider: WebhookProvider, providerCallID: String,
        eventKind: String, digest: String, payloadJSON: String
    ) async throws {
        guard let events else {
            throw Problem(.serviceUnavailable, detail: "The database is not configured.")
        }
        context.facts.tenantID = tenant
        let stored: (id: String, duplicate: Bool)
        do {
            stored = try await events.insert(
                tenantID: tenant, provider: provider, providerCallID: JSONDocument.escapingNUL(providerCallID),
                eventKind: eventKind, bodySHA256: digest, payloadJSON: payloadJSON)
        } catch let refusal as WebhookEventRefusal where refusal.code == .unknownTenant {
            throw Self.unknownTenant
        } catch let refusal as WebhookEventRefusal where refusal.code == .unstorableValue {
            // A data exception (class 22: text or a number the database refuses) is the body's
            // fault and retrying cannot help, so no 5xx that a provider would retry forever.
            throw Problem(.badRequest, detail: "The body holds a value the database cannot store.")
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
                options: context.enqueueOptions(EnqueueOptions(tenantID: tenant)))
            try await events.markEnqueued(tenantID: tenant, eventID: stored.id)
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
