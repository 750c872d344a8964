import Foundation
import OttoTestSupport
import Testing

/// `/internal/dashboard` through a real otto-api (and, where tasks must run, a real otto-worker)
/// on the test Redis: who may open it, the session cookie, the CSRF token on actions, a replay
/// through the route and the polled state.
@Suite("Operator dashboard")
struct DashboardTests {
    static let token = "dashboard-test-token-0123456789"
    /// What Fly's edge adds to every request: such a request is never loopback.
    static let outside = ["Fly-Client-IP": "203.0.113.7"]

    /// An otto-api with the internal token on the test Redis under a key prefix of its own, and
    /// optionally an otto-worker on the same prefix.
    struct Stack {
        let api: APIProcess
        let worker: ChildProcess?
        let environment: [String: String]

        static func start(worker: Bool) async throws -> Stack {
            let environment = [
                "DATABASE_URL": try TestServices.databaseURL(), "REDIS_URL": try TestServices.redisURL(),
                "REDIS_KEY_PREFIX": TestServices.uniquePrefix("dash"), "ENABLE_CELERY": "true",
                "INTERNAL_API_TOKEN": DashboardTests.token,
            ]
            let api = try await APIProcess(environment: environment)
            var child: ChildProcess?
            if worker {
                let process = ChildProcess(binary: "otto-worker", environment: api.environment)
                try process.start()
                child = process
            }
            return Stack(api: api, worker: child, environment: api.environment)
        }

        /// Runs `body` on a new stack and stops its processes afterwards, also when `body` throws.
        static func with<T>(worker: Bool, _ body: (Stack) async throws -> T) async throws -> T {
            let stack = try await start(worker: worker)
            do {
                let result = try await body(stack)
                await stack.stop()
                return result
            } catch {
                await stack.stop()
                throw error
            }
        }

        func stop() async {
            for process in [api.child] + (worker.map { [$0] } ?? []) {
                process.signal(SIGTERM)
                _ = await process.waitForExit(timeout: .seconds(25))
            }
        }

        func send(_ method: String, _ path: String, headers: [String: String] = [:], form: String? = nil)
            async throws -> HTTPExchange
        {
            var headers = headers
            if form != nil { headers["Content-Type"] = "application/x-www-form-urlencoded" }
            return try await HTTPExchange.send(
                method, api.baseURL + path, headers: headers, body: form.map { Data($0.utf8) })
        }

        /// The state document, read with the bearer token.
        func state() async throws -> [String: Any] {
            let exchange = try await send("GET", "/internal/dashboard/state", headers: bearer)
            return exchange.json ?? [:]
        }

        var bearer: [String: String] { ["Authorization": "Bearer \(DashboardTests.token)"] }

        /// Enqueues `otto.ping` with `arguments` through `otto-worker enqueue`; returns the task id.
        func enqueuePing(_ arguments: String, maxAttempts: Int = 1, count: Int = 1) async throws -> [String] {
            let (status, output) = try await ChildProcess.run(
                "otto-worker",
                [
                    "enqueue", "otto.ping", "--args", arguments, "--max-attempts", "\(maxAttempts)", "--count",
                    "\(count)", "--json",
                ], environment: environment)
            guard status == 0, let line = output.split(separator: "\n").last,
                let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                let ids = object["ids"] as? [String]
            else { throw Failed(output: output) }
            return ids
        }

        /// Signs in from outside loopback; returns the session cookie (`name=value`).
        func signIn() async throws -> String {
            let exchange = try await send(
                "POST", "/internal/dashboard/session", headers: DashboardTests.outside,
                form: "token=" + DashboardTests.token)
            let cookie = try #require(exchange.header("set-cookie"))
            return String(cookie.split(separator: ";")[0])
        }

        /// The CSRF token the page carries for `cookie`.
        func csrf(cookie: String) async throws -> String {
            let page = try await send(
                "GET", "/internal/dashboard", headers: DashboardTests.outside.merging(["Cookie": cookie]) { $1 })
            #expect(page.status == 200)
            let marker = #"<meta name="csrf-token" content=""#
            let start = try #require(page.text.range(of: marker))
            return String(page.text[start.upperBound...].prefix { $0 != "\"" })
        }
    }

    struct Failed: Error { var output: String }

    static func queue(_ state: [String: Any], _ name: String) -> [String: Any]? {
        (state["queues"] as? [[String: Any]])?.first { $0["name"] as? String == name }
    }

    @Test("from outside loopback every dashboard route is refused without the token; the page is the sign-in form")
    func refusedWithoutToken() async throws {
        try await Stack.with(worker: false) { stack in
            let page = try await stack.send("GET", "/internal/dashboard", headers: Self.outside)
            #expect(page.status == 403)
            #expect(page.text.contains(#"action="/internal/dashboard/session""#))
            #expect(!page.text.contains("csrf-token"))
            #expect(page.header("set-cookie") == nil)
            for path in [
                "/internal/dashboard/state", "/internal/dashboard/task/abc", "/internal/dashboard/assets/dashboard.js",
                "/internal/dashboard/assets/dashboard.css",
            ] {
                #expect(try await stack.send("GET", path, headers: Self.outside).status == 403, "\(path)")
                let wrong = Self.outside.merging(["Authorization": "Bearer not-the-token"]) { $1 }
                #expect(try await stack.send("GET", path, headers: wrong).status == 403, "\(path) with a wrong token")
                let forged = Self.outside.merging([
                    "Cookie": "otto_dashboard=v1.9999999999.\(String(repeating: "0", count: 32)).00"
                ]) { $1 }
                #expect(
                    try await stack.send("GET", path, headers: forged).status == 403, "\(path) with a forged cookie")
            }
            for path in ["/internal/dashboard/dead/replay", "/internal/dashboard/dead/purge"] {
                #expect(try await stack.send("POST", path, headers: Self.outside, form: "queue=default").status == 403)
            }
            // The bearer token opens it from anywhere.
            let withToken = try await stack.send(
                "GET", "/internal/dashboard/state", headers: Self.outside.merging(stack.bearer) { $1 })
            #expect(withToken.status == 200)
            #expect(withToken.json?["queues"] != nil)
        }
    }

    @Test(
        "sign-in sets a signed, expiring, HttpOnly, Secure, SameSite=Strict cookie on /internal; a wrong token sets none"
    )
    func signInCookie() async throws {
        try await Stack.with(worker: false) { stack in
            let wrong = try await stack.send(
                "POST", "/internal/dashboard/session", headers: Self.outside, form: "token=guess")
            #expect(wrong.status == 403)
            #expect(wrong.header("set-cookie") == nil)
            #expect(wrong.text.contains("signin-error"))

            let right = try await stack.send(
                "POST", "/internal/dashboard/session", headers: Self.outside, form: "token=" + Self.token)
            #expect(right.status == 303)
            #expect(right.header("location") == "/internal/dashboard")
            let cookie = try #require(right.header("set-cookie"))
            let attributes = cookie.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            #expect(attributes[0].hasPrefix("otto_dashboard=v1."))
            for attribute in ["HttpOnly", "Secure", "SameSite=Strict", "Path=/internal", "Max-Age=28800"] {
                #expect(attributes.contains(attribute), "\(attribute) in \(cookie)")
            }
            let session = String(attributes[0])
            let opened = try await stack.send(
                "GET", "/internal/dashboard/state", headers: Self.outside.merging(["Cookie": session]) { $1 })
            #expect(opened.status == 200)
            // One character of the signature changed: refused.
            var tampered = Array(session)
            tampered[tampered.count - 1] = tampered[tampered.count - 1] == "0" ? "1" : "0"
            let refused = try await stack.send(
                "GET", "/internal/dashboard/state", headers: Self.outside.merging(["Cookie": String(tampered)]) { $1 })
            #expect(refused.status == 403)
        }
    }

    @Test("a loopback page gets a session; a POST from loopback without its CSRF token is refused")
    func loopbackNeedsCSRF() async throws {
        try await Stack.with(worker: false) { stack in
            let page = try await stack.send("GET", "/internal/dashboard")
            #expect(page.status == 200)
            #expect(page.header("content-security-policy")?.contains("script-src 'self'") == true)
            #expect(page.header("x-frame-options") == "DENY")
            let cookie = try #require(page.header("set-cookie")).split(separator: ";")[0]
            // What a page on another site can send: the form fields, no token (and from loopback).
            let forged = try await stack.send("POST", "/internal/dashboard/dead/purge", form: "queue=default")
            #expect(forged.status == 403)
            let withCookieOnly = try await stack.send(
                "POST", "/internal/dashboard/dead/purge", headers: ["Cookie": String(cookie)], form: "queue=default")
            #expect(withCookieOnly.status == 403)
            let assets = try await stack.send("GET", "/internal/dashboard/assets/dashboard.js")
            #expect(assets.status == 200)
            #expect(assets.header("content-type")?.hasPrefix("text/javascript") == true)
        }
    }

    @Test("a dead letter is listed with its secrets masked, and replayed through the route only with the CSRF token")
    func replayThroughTheRoute() async throws {
        try await Stack.with(worker: true) { stack in
            let ids = try await stack.enqueuePing(
                #"{"fail":true,"api_key":"sk-live-123","nested":{"Password":"hunter2"},"note":"visible"}"#)
            let id = try #require(ids.first)
            var letter: [String: Any]?
            let died = await eventually(timeout: .seconds(60), every: .milliseconds(250)) {
                let state = (try? await stack.state()) ?? [:]
                letter = (state["dead_letters"] as? [[String: Any]])?.first { $0["task_id"] as? String == id }
                return letter != nil
            }
            #expect(died, "\(stack.worker?.output ?? "")")
            let dead = try #require(letter)
            let arguments = try #require(dead["arguments"] as? String)
            #expect(!arguments.contains("sk-live-123") && !arguments.contains("hunter2"), "\(arguments)")
            #expect(arguments.contains(#""api_key":"***""#) && arguments.contains(#""Password":"***""#))
            #expect(arguments.contains("visible"))
            #expect(dead["task"] as? String == "otto.ping")
            #expect(dead["attempts"] as? Int == 1)
            let recent = try await stack.state()["recent_failures"] as? [[String: Any]]
            #expect(recent?.first?["task_id"] as? String == id)

            let cookie = try await stack.signIn()
            let entry = try #require(dead["entry_id"] as? String)
            let form = "queue=default&id=\(entry)"
            let withSession = Self.outside.merging(["Cookie": cookie, "Accept": "application/json"]) { $1 }
            // The session alone, or with another token, is not enough.
            #expect(
                try await stack.send("POST", "/internal/dashboard/dead/replay", headers: withSession, form: form).status
                    == 403)
            let bad = withSession.merging(["X-CSRF-Token": String(repeating: "0", count: 64)]) { $1 }
            #expect(
                try await stack.send("POST", "/internal/dashboard/dead/replay", headers: bad, form: form).status == 403)

            let failedBefore = Self.failedCount(try await stack.state())
            let csrf = try await stack.csrf(cookie: cookie)
            let replay = try await stack.send(
                "POST", "/internal/dashboard/dead/replay", headers: withSession, form: form + "&csrf=\(csrf)")
            #expect(replay.status == 200, "\(replay.text)")
            #expect(replay.json?["ids"] as? [String] == [id])
            // It ran again: another failed attempt, and it is dead once more under a new entry.
            let ranAgain = await eventually(timeout: .seconds(60), every: .milliseconds(250)) {
                let state = (try? await stack.state()) ?? [:]
                let letters = (state["dead_letters"] as? [[String: Any]]) ?? []
                return Self.failedCount(state) > failedBefore
                    && letters.contains { $0["task_id"] as? String == id && $0["entry_id"] as? String != entry }
            }
            #expect(ranAgain)
        }
    }

    @Test("the state counts tasks that ran: workers' processed, the sampled hour, and depths per queue")
    func stateCountsTasks() async throws {
        try await Stack.with(worker: true) { stack in
            let live = await eventually(timeout: .seconds(60), every: .milliseconds(250)) {
                (((try? await stack.state())?["workers"] as? [[String: Any]])?.count ?? 0) == 1
            }
            #expect(live)
            let initial = try await stack.state()
            for name in ["critical", "default", "low"] { #expect(Self.queue(initial, name) != nil, "\(name)") }
            let worker = try #require((initial["workers"] as? [[String: Any]])?.first)
            for field in ["host", "pid", "queues", "concurrency", "in_flight", "processed", "failed", "age_s"] {
                #expect(worker[field] != nil, "\(field)")
            }
            #expect(initial["canary"] as? [String: Any] != nil)
            #expect(((initial["beat"] as? [String: Any])?["schedules"] as? [[String: Any]])?.isEmpty == false)

            _ = try await stack.enqueuePing("{}", maxAttempts: 3, count: 5)
            // The heartbeat (every 5 s) carries the counts; the sampler (every 5 s) puts them in the hour.
            let counted = await eventually(timeout: .seconds(60), every: .milliseconds(500)) {
                let state = (try? await stack.state()) ?? [:]
                let processed = ((state["workers"] as? [[String: Any]])?.first?["processed"] as? Int) ?? 0
                let hour = Self.queue(state, "default")?["hour"] as? [String: Any]
                return processed >= 5 && ((hour?["succeeded_hour"] as? Int) ?? 0) >= 5
            }
            #expect(counted)
            let hour = try #require(Self.queue(try await stack.state(), "default")?["hour"] as? [String: Any])
            #expect((hour["succeeded_per_minute"] as? [Int])?.count == 60)
            #expect(hour["wait_p50_s"] != nil && !(hour["wait_p50_s"] is NSNull))
        }
    }

    static func failedCount(_ state: [String: Any]) -> Int {
        ((state["workers"] as? [[String: Any]]) ?? []).reduce(0) { $0 + (($1["failed"] as? Int) ?? 0) }
    }
}
