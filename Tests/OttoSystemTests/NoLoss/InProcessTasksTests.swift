import Foundation
import OttoCalls
import OttoCore
import OttoProcessKit
import OttoTasks
import OttoTestSupport
import Testing

extension NoLossSystemTests {
    /// ENABLE_CELERY=false, the documented rollback: otto-api runs the tasks itself. Each test has a
    /// database of its own (the API's sweep works across tenants) and a real otto-api process; a
    /// lock on `calls`, held by the test, makes the tasks' upserts wait, so tasks are surely in
    /// flight when the test acts.
    @Suite("In-process tasks lose nothing", .serialized)
    struct InProcessTasksTests {
        static let unprocessed = "SELECT count(*) AS n FROM webhook_events WHERE processed_at IS NULL"
        static let processed = "SELECT count(*) AS n FROM webhook_events WHERE processed_at IS NOT NULL"

        func environment(_ database: OwnDatabase, _ extra: [String: String] = [:]) -> [String: String] {
            ["DATABASE_URL": database.url, "ENABLE_CELERY": "false"].merging(extra) { _, new in new }
        }

        @Test("tasks run at most four at a time, so webhooks are stored while tasks wait on the database")
        func boundedConcurrencyKeepsThePoolForRequests() async throws {
            let database = try await OwnDatabase.create("inproc_pool")
            let api = try await APIProcess(environment: environment(database))
            let tenant = try await api.createTenant()

            let lock = try await TableLock(url: database.url, table: "calls", mode: "EXCLUSIVE")
            // 30 deliveries, each a new call whose upsert waits on the lock while holding a connection.
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<30 {
                    group.addTask {
                        try await api.twilioWebhook(tenant: tenant, callSID: "CA-pool-\(index)", status: "ringing")
                    }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            let waiting = await eventually(timeout: .seconds(30), every: .milliseconds(250)) {
                (try? await database.lockWaiters()) == 4
            }
            let waiters = try await database.lockWaiters()
            await lock.release()

            #expect(statuses.allSatisfy { $0 == 200 }, "statuses while tasks waited: \(statuses.sorted())")
            #expect(waiting, "tasks waiting on the lock: \(waiters) (the bound is 4)")
            #expect(waiters == 4)
            let allProcessed = await eventually(timeout: .seconds(60), every: .milliseconds(250)) {
                (try? await database.count(Self.processed)) == 30
            }
            let processedCount = try await database.count(Self.processed)
            #expect(allProcessed, "processed \(processedCount) of 30")
            #expect(try await database.count("SELECT count(*) AS n FROM calls", tenant: tenant) == 30)
            api.child.signal(SIGTERM)
            #expect(await api.child.waitForExit(timeout: .seconds(30)) == 0)
            await database.drop()
        }

        @Test("kill -9 with tasks in flight: a restarted otto-api's own sweep processes every stored event")
        func killedAPIsEventsAreSweptByTheNextOne() async throws {
            let database = try await OwnDatabase.create("inproc_kill")
            let settings = environment(database, ["WEBHOOK_SWEEP_DEADLINE": "5"])
            let first = try await APIProcess(environment: settings)
            let tenant = try await first.createTenant()

            let lock = try await TableLock(url: database.url, table: "calls", mode: "EXCLUSIVE")
            for index in 0..<12 {
                let status = try await first.twilioWebhook(
                    tenant: tenant, callSID: "CA-kill-\(index)", status: "ringing")
                #expect(status == 200)
            }
            // Four tasks wait on the lock with their connections, eight wait in memory.
            let inFlight = await eventually(timeout: .seconds(30), every: .milliseconds(250)) {
                (try? await database.lockWaiters()) == 4
            }
            let waitersAtKill = try await database.lockWaiters()
            #expect(inFlight, "tasks in flight at the kill: \(waitersAtKill)")
            first.child.signal(SIGKILL)
            _ = await first.child.waitForExit(timeout: .seconds(10))
            await lock.release()
            // The killed process's transactions die with its connections: nothing was processed.
            let unprocessed = try await database.count(Self.unprocessed)
            #expect(unprocessed == 12)
            #expect(try await database.count("SELECT count(*) AS n FROM webhook_events WHERE enqueued_at IS NULL") == 0)

            let second = try await APIProcess(environment: settings)
            let recovered = await eventually(timeout: .seconds(90), every: .milliseconds(250)) {
                (try? await database.count(Self.processed)) == 12
            }
            let recoveredCount = try await database.count(Self.processed)
            #expect(recovered, "processed \(recoveredCount) of 12: \(second.child.output)")
            #expect(try await database.count("SELECT count(*) AS n FROM webhook_events WHERE sweep_runs >= 1") == 12)
            #expect(try await database.count("SELECT count(*) AS n FROM calls", tenant: tenant) == 12)
            second.child.signal(SIGTERM)
            #expect(await second.child.waitForExit(timeout: .seconds(30)) == 0)
            await database.drop()
        }

        @Test("SIGTERM waits for in-flight tasks within WORKER_SHUTDOWN_GRACE, then exits 0")
        func shutdownAwaitsInFlightTasks() async throws {
            let database = try await OwnDatabase.create("inproc_term")
            let api = try await APIProcess(environment: environment(database, ["WORKER_SHUTDOWN_GRACE": "60"]))
            let tenant = try await api.createTenant()

            let lock = try await TableLock(url: database.url, table: "calls", mode: "EXCLUSIVE")
            for index in 0..<3 {
                #expect(
                    try await api.twilioWebhook(tenant: tenant, callSID: "CA-term-\(index)", status: "ringing") == 200)
            }
            #expect(
                await eventually(timeout: .seconds(30), every: .milliseconds(250)) {
                    (try? await database.lockWaiters()) == 3
                })
            api.child.signal(SIGTERM)
            let waiting = await api.child.waitForOutput("waiting for in-process tasks to finish", timeout: .seconds(30))
            #expect(waiting, "\(api.child.output)")
            #expect(api.child.process.isRunning)
            await lock.release()
            #expect(await api.child.waitForExit(timeout: .seconds(60)) == 0)
            #expect(try await database.count(Self.processed) == 3)
            #expect(LogLines.parse(api.child.output).filter { $0["outcome"] as? String == "succeeded" }.count == 3)
            await database.drop()
        }

        @Test("tasks still running when the grace period ends are cancelled, and the process exits 0")
        func graceIsBounded() async throws {
            let database = try await OwnDatabase.create("inproc_grace")
            let api = try await APIProcess(environment: environment(database, ["WORKER_SHUTDOWN_GRACE": "1"]))
            let tenant = try await api.createTenant()
            let lock = try await TableLock(url: database.url, table: "calls", mode: "EXCLUSIVE")
            #expect(try await api.twilioWebhook(tenant: tenant, callSID: "CA-grace", status: "ringing") == 200)
            #expect(
                await eventually(timeout: .seconds(30), every: .milliseconds(250)) {
                    (try? await database.lockWaiters()) == 1
                })
            api.child.signal(SIGTERM)
            // The bound is the grace (1 s) plus the HTTP drain; 30 s only fails a hung process.
            #expect(await api.child.waitForExit(timeout: .seconds(30)) == 0)
            #expect(api.child.output.contains("grace period over"))
            await lock.release()
            // Its event waits in PostgreSQL for the next API's sweep.
            #expect(try await database.count(Self.unprocessed) == 1)
            await database.drop()
        }
    }
}
