import Foundation
import OttoTestSupport

/// What an operator's browser first asks of the dashboard: its polled state and its first
/// render, from an otto-api started on `databaseURL` for the two requests and stopped after
/// them (the database is the caller's).
struct DashboardRead {
    var state: HTTPExchange
    var page: HTTPExchange

    static func fetch(databaseURL: String, prefix: String, token: String) async throws -> DashboardRead {
        let api = try await APIProcess(environment: [
            "DATABASE_URL": databaseURL, "REDIS_URL": try TestServices.redisURL(),
            "REDIS_KEY_PREFIX": TestServices.uniquePrefix(prefix), "ENABLE_CELERY": "true",
            "INTERNAL_API_TOKEN": token,
        ])
        let bearer = ["Authorization": "Bearer \(token)"]
        func stop() async {
            api.child.signal(SIGTERM)
            _ = await api.child.waitForExit(timeout: .seconds(25))
        }
        do {
            let state = try await HTTPExchange.send(
                "GET", api.baseURL + "/internal/dashboard/state", headers: bearer)
            let page = try await HTTPExchange.send("GET", api.baseURL + "/internal/dashboard", headers: bearer)
            await stop()
            return DashboardRead(state: state, page: page)
        } catch {
            await stop()
            throw error
        }
    }
}
