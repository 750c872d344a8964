import Foundation
import Logging
import OttoCalls
import OttoCore
import OttoPostgres
import OttoProcessKit
import OttoTasks
import OttoTestSupport
import Testing

/// `/v1/calls` against a real otto-api with a real session token: a cursor the API did not issue
/// (or one whose time PostgreSQL cannot read) is a 400 problem, never a 503, and the bounds on
/// the reprocess body hold; the cursors the API does issue keep working.
@Suite("Calls query bounds", .serialized)
struct CallsQueryBoundsTests {
    struct Stack: Sendable {
        var api: ChildProcess
        var base: String
        var token: String
        var pool: PostgresPool
    }

    static func withStack(_ body: (Stack) async throws -> Void) async throws {
        let port = FreePort.pick()
        let environment = [
            "APP_ENV": "test", "HOST": "127.0.0.1", "PORT": String(port),
            "DATABASE_URL": try TestServices.databaseURL(),
            "REDIS_URL": try TestServices.redisURL(), "REDIS_KEY_PREFIX": TestServices.uniquePrefix("cursor"),
            "CLERK_JWT_KEY": TestTokens.publicKeyPEM,
        ]
        let (migrated, output) = try await ChildProcess.run("otto-api", ["migrate"], environment: environment)
        try #require(migrated == 0, "\(output)")
        let api = ChildProcess(binary: "otto-api", environment: environment)
        try api.start()
        let pool = PostgresPool(
            configuration: PostgresConfiguration(url: try TestServices.databaseURL(), poolSize: 2),
            logger: Logger(label: "otto.tests.cursor"))
        let base = "http://127.0.0.1:\(port)"
        do {
            try #require(await HTTPExchange.waitForOK(base + "/health", timeout: .seconds(30)), "\(api.output)")
            let token = try await TestTokens.make(org: "org_cursor_\(UUID().uuidString.lowercased())", expiresIn: 600)
            try await body(Stack(api: api, base: base, token: token, pool: pool))
        } catch {
            await pool.shutdown()
            api.signal(SIGTERM)
            _ = await api.waitForExit(timeout: .seconds(20))
            throw error
        }
        await pool.shutdown()
        api.signal(SIGTERM)
        #expect(await api.waitForExit(timeout: .seconds(20)) == 0, "\(api.output)")
    }

    static func get(_ stack: Stack, _ path: String) async throws -> HTTPExchange {
        try await HTTPExchange.send("GET", stack.base + path, headers: ["Authorization": "Bearer \(stack.token)"])
    }

    static func base64url(_ text: String) -> String {
        Data(text.utf8).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    @Test("a malformed or unreadable cursor is a 400 problem")
    func malformedCursorIs400() async throws {
        try await Self.withStack { stack in
            let id = UUID().uuidString.lowercased()
            let cursors = [
                Self.base64url("garbage|\(id)"),
                Self.base64url("2026-13-45 99:99:99+00|\(id)"),
                Self.base64url("99999-01-01 00:00:00+00|\(id)"),
                Self.base64url("9999999-12-31 23:59:59.999999+00|\(id)"),
                Self.base64url("infinity|\(id)"),
                Self.base64url("2026-01-31 12:00:00+00 BC|\(id)"),
                Self.base64url("2026-01-31 12:00:00+99|\(id)"),
                "not-base64!", String(repeating: "A", count: 4096), "%FF%FE",
            ]
            for cursor in cursors {
                let encoded = cursor.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? cursor
                let response = try await Self.get(stack, "/v1/calls?cursor=\(encoded)")
                #expect(response.status == 400, "cursor \(cursor.prefix(60)): \(response.status) \(response.text)")
                #expect(response.header("Content-Type") == "application/problem+json")
            }
            #expect(try await Self.get(stack, "/health").status == 200)
        }
    }

    @Test("the cursors the API issues page through every call")
    func issuedCursorsPage() async throws {
        try await Self.withStack { stack in
            let me = try await Self.get(stack, "/v1/me")
            let tenant = try #require(me.json?["tenant_id"] as? String, "\(me.status) \(me.text)")
            for (index, started) in [1_700_000_000.123456, 1_700_000_000.123457, 1_700_000_001].enumerated() {
                _ = try await CallStore(pool: stack.pool).upsert(
                    tenantID: tenant,
                    CallUpdate(
                        provider: .twilio, providerCallID: "CA-page-\(index)", status: "in-progress",
                        startedAt: started))
            }
            var seen: [String] = []
            var path = "/v1/calls?limit=1"
            for _ in 0..<5 {
                let page = try await Self.get(stack, path)
                #expect(page.status == 200, "\(page.text)")
                let data = page.json?["data"] as? [[String: Any]] ?? []
                seen += data.compactMap { $0["provider_call_id"] as? String }
                guard let next = page.json?["next_cursor"] as? String else { break }
                path = "/v1/calls?limit=1&cursor=\(next)"
            }
            #expect(seen == ["CA-page-2", "CA-page-1", "CA-page-0"])
        }
    }

    @Test("reprocess bounds its reason and refuses what is not a JSON object with a 400 problem")
    func reprocessBodyBounds() async throws {
        try await Self.withStack { stack in
            let path = "/v1/calls/\(UUID().uuidString.lowercased())/reprocess"
            let bodies = [
                #"{"reason":"\#(String(repeating: "x", count: 501))"}"#, #"{"reason":"a\u0000b"}"#, "[]", "null",
                #"{"reason":5}"#, "{", String(repeating: "[", count: 5000),
            ]
            for body in bodies {
                let response = try await HTTPExchange.send(
                    "POST", stack.base + path,
                    headers: ["Authorization": "Bearer \(stack.token)", "Content-Type": "application/json"],
                    body: Data(body.utf8))
                #expect(response.status == 400, "\(body.prefix(40)): \(response.status) \(response.text)")
                #expect(response.header("Content-Type") == "application/problem+json")
            }
            let fine = try await HTTPExchange.send(
                "POST", stack.base + path,
                headers: ["Authorization": "Bearer \(stack.token)", "Content-Type": "application/json"],
                body: Data(#"{"reason":"customer asked"}"#.utf8))
            #expect(fine.status == 404, "\(fine.status) \(fine.text)")
        }
    }
}
