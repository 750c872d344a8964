import HTTPTypes
import Hummingbird
import NIOCore
import OttoSupport
import OttoTasks

/// `/internal/dashboard`: the operator's page, its script and stylesheet, the state it polls,
/// a task by id, and the dead-letter actions (replay one, replay all, purge).
///
/// Access, on every route but the sign-in: loopback (no proxy header, as in
/// ``InternalOnlyMiddleware``), `Authorization: Bearer $INTERNAL_API_TOKEN`, or a valid session
/// cookie. The sign-in form (`POST /internal/dashboard/session`) takes the token and sets the
/// cookie (``DashboardSessions``); a refused page answers 403 with that form. Actions need more
/// than reading: the bearer token, or the session cookie together with its CSRF token (a form
/// field `csrf` or the header `X-CSRF-Token`), so a cross-site POST is refused with 403 even
/// from a loopback browser. Every answer is `no-store`; the HTML carries a CSP that allows only
/// this origin's script and stylesheet and no framing.
struct DashboardRoutes: Sendable {
    let reader: DashboardReader?
    let sessions: DashboardSessions

    static let path = "/internal/dashboard"
    static let csrfHeader = HTTPField.Name("X-CSRF-Token")!
    static let maxFormBytes = 16 * 1024

    init(reader: DashboardReader?, internalToken: String?) {
        self.reader = reader
        self.sessions = DashboardSessions(internalToken: internalToken)
    }

    func register(on router: Router<OttoRequestContext>) {
        let group = router.group("/internal/dashboard")
        group.get { request, context in try await page(request, context) }
        group.post("session") { request, context in try await signIn(request, context) }
        group.post("session/end") { request, context in try await signOut(request, context) }
        group.get("state") { request, context in
            try requireReader(request, context)
            let state = await reader!.state()
            return try JSONResponse.make(state, status: .ok)
        }
        group.get("task/{id}") { request, context in
            try requireReader(request, context)
            let id = context.parameters.get("id") ?? ""
            let record = try await lookUp(id)
            return try JSONResponse.make(
                DashboardTask(found: record != nil, record: record, text: DashboardView.describe(record, id: id)),
                status: .ok)
        }
        group.get("assets/dashboard.js") { request, context in
            guard access(request, context).allowed else { throw Self.refusal }
            return Self.asset(DashboardAssets.script, type: "text/javascript; charset=utf-8")
        }
        group.get("assets/dashboard.css") { request, context in
            guard access(request, context).allowed else { throw Self.refusal }
            return Self.asset(DashboardAssets.stylesheet, type: "text/css; charset=utf-8")
        }
        group.post("dead/replay") { request, context in
            let (form, json) = try await action(request, context)
            let queue = try Self.queueName(form)
            let id = form["id"].flatMap { $0.isEmpty ? nil : $0 }
            let ids = try await reader!.replay(queue: queue, id: id)
            let message =
                id == nil
                ? "Replayed \(ids.count) task(s) on \(queue)."
                : (ids.isEmpty ? "Nothing replayed." : "Replayed \(ids[0]).")
            return try Self.answer(
                DashboardActionAnswer(queue: queue, ids: ids, purged: nil, message: message), json: json)
        }
        group.post("dead/purge") { request, context in
            let (form, json) = try await action(request, context)
            let queue = try Self.queueName(form)
            let purged = try await reader!.purge(queue: queue)
            return try Self.answer(
                DashboardActionAnswer(
                    queue: queue, ids: nil, purged: purged, message: "Purged \(purged) dead letter(s) from \(queue)."),
                json: json)
        }
    }

    // MARK: Access

    /// Who is asking: allowed to read or not, and the valid session cookie it carries.
    struct Access {
        var allowed: Bool
        var byToken: Bool
        var session: String?
    }

    func access(_ request: Request, _ context: OttoRequestContext) -> Access {
        let session = DashboardSessions.session(in: request.headers).flatMap { sessions.isValid($0) ? $0 : nil }
        var byToken = false
        if let authorization = request.headers[.authorization], authorization.hasPrefix("Bearer ") {
            byToken = sessions.isInternalToken(String(authorization.dropFirst(7)))
        }
        let loopback =
            !InternalOnlyMiddleware.isProxied(request) && InternalOnlyMiddleware.isLoopback(context.remoteAddress)
        return Access(allowed: byToken || loopback || session != nil, byToken: byToken, session: session)
    }

    static let refusal = Problem(
        .forbidden, detail: "The dashboard is internal: open it from loopback, or sign in with the internal token.")

    private func requireReader(_ request: Request, _ context: OttoRequestContext) throws {
        guard access(request, context).allowed else { throw Self.refusal }
        guard reader != nil else {
            throw Problem(.serviceUnavailable, detail: "Redis is not configured, so there is no fleet to show.")
        }
    }

    /// An action's form, after the access and CSRF checks; `json` when the page's script sent it.
    private func action(_ request: Request, _ context: OttoRequestContext) async throws -> ([String: String], Bool) {
        let form = try await Self.form(request)
        let who = access(request, context)
        let presented = request.headers[Self.csrfHeader] ?? form["csrf"] ?? ""
        let csrfValid = who.session.map { sessions.isCSRFToken(presented, session: $0) } ?? false
        guard who.byToken || csrfValid else {
            throw Problem(.forbidden, detail: "This action needs the dashboard's CSRF token with its session.")
        }
        guard reader != nil else {
            throw Problem(.serviceUnavailable, detail: "Redis is not configured, so there is no fleet to act on.")
        }
        let json = request.headers[.accept]?.contains("application/json") == true
        return (form, json)
    }

    // MARK: Pages

    private func page(_ request: Request, _ context: OttoRequestContext) async throws -> Response {
        let who = access(request, context)
        guard who.allowed else { return Self.signInPage(error: nil, status: .forbidden) }
        // A browser allowed by loopback or the token gets a session too: the actions' CSRF
        // token is bound to one.
        let session = who.session ?? sessions.issue()
        let now = UnixTime.now()
        let state = await reader?.state(now: now) ?? .empty(now: now, reason: "redis (not configured)")
        let query = request.uri.queryParameters.get("task").map { String($0.prefix(200)) } ?? ""
        var result = ""
        if !query.isEmpty, reader != nil {
            result = DashboardView.describe(try? await lookUp(query), id: query)
        }
        let view = DashboardView(
            state: state, csrf: sessions.csrfToken(session: session), version: OttoVersion.current, taskQuery: query,
            taskResult: result)
        var response = Self.html(DashboardTemplates.render("page", view), status: .ok)
        if who.session == nil { response.headers[.setCookie] = DashboardSessions.setCookie(session) }
        return response
    }

    private func signIn(_ request: Request, _ context: OttoRequestContext) async throws -> Response {
        let form = try await Self.form(request)
        guard sessions.isInternalToken(form["token"] ?? "") else {
            return Self.signInPage(error: "That is not the internal API token.", status: .forbidden)
        }
        var response = Self.redirect(Self.path)
        response.headers[.setCookie] = DashboardSessions.setCookie(sessions.issue())
        return response
    }

    private func signOut(_ request: Request, _ context: OttoRequestContext) async throws -> Response {
        let form = try await Self.form(request)
        let who = access(request, context)
        let presented = request.headers[Self.csrfHeader] ?? form["csrf"] ?? ""
        guard let session = who.session, sessions.isCSRFToken(presented, session: session) else {
            throw Problem(.forbidden, detail: "Signing out needs the dashboard's CSRF token with its session.")
        }
        var response = Self.redirect(Self.path)
        response.headers[.setCookie] = DashboardSessions.clearCookie
        return response
    }

    private func lookUp(_ id: String) async throws -> TaskStateStore.Record? {
        guard !id.isEmpty, id.utf8.count <= 200 else { return nil }
        return try await reader!.task(id: id)
    }

    // MARK: Responses

    static func signInPage(error: String?, status: HTTPResponse.Status) -> Response {
        struct View { var error: String? }
        return html(DashboardTemplates.render("signin", View(error: error)), status: status)
    }

    /// The page's headers: no caching, no framing, no sniffing, no referrer, and a CSP that
    /// allows this origin's script, stylesheet and polling only.
    static func html(_ text: String, status: HTTPResponse.Status) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.cacheControl] = "no-store"
        headers[HTTPField.Name("Content-Security-Policy")!] =
            "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; "
            + "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
        headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
        headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func asset(_ text: String, type: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = type
        // Versioned by the page (`?v=`), but private: it is served to signed-in operators only.
        headers[.cacheControl] = "private, max-age=3600"
        headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func redirect(_ location: String) -> Response {
        var headers = HTTPFields()
        headers[.location] = location
        headers[.cacheControl] = "no-store"
        return Response(status: .seeOther, headers: headers)
    }

    /// The JSON answer for the page's script, or a redirect back to the page for a plain form.
    static func answer(_ value: DashboardActionAnswer, json: Bool) throws -> Response {
        json ? try JSONResponse.make(value, status: .ok) : redirect(path)
    }

    static func form(_ request: Request) async throws -> [String: String] {
        let buffer = try await request.body.collect(upTo: maxFormBytes)
        return FormFields.parse(String(buffer: buffer))
    }

    static func queueName(_ form: [String: String]) throws -> String {
        guard let queue = form["queue"], !queue.isEmpty, queue.utf8.count <= 64,
            queue.utf8.allSatisfy({ $0 > 32 && $0 < 127 })
        else { throw Problem(.badRequest, detail: "Name the queue (`queue`).") }
        return queue
    }
}
