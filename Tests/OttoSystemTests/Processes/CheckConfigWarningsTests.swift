import Foundation
import Logging
import OttoCalls
import OttoCore
import OttoPostgres
import OttoProcessKit
import OttoTasks
import OttoTestSupport
import Testing

extension NoLossSystemTests {
    @Suite("check-config warnings", .serialized)
    struct CheckConfigWarningsTests {
        static func superuser(_ sql: String) async throws {
            let pool = PostgresPool(
                configuration: PostgresConfiguration(
                    url: try TestServices.variable("OTTO_TEST_PG_SUPERUSER_URL"), poolSize: 1,
                    applicationName: "otto_test_admin"),
                logger: Logger(label: "otto.tests.db"))
            do {
                _ = try await pool.query(sql)
                await pool.shutdown()
            } catch {
                await pool.shutdown()
                throw error
            }
        }

        @Test("check-config --connect warns about a BYPASSRLS role as about a superuser, and still exits 0")
        func bypassRLSRoleIsWarned() async throws {
            let database = try TestServices.databaseURL()
            var components = try #require(URLComponents(string: database))
            let role = "otto_bypass_\(UUID().uuidString.prefix(8).lowercased())"
            try await Self.superuser("CREATE ROLE \(role) LOGIN PASSWORD 'bypass' BYPASSRLS NOSUPERUSER")
            components.user = role
            components.password = "bypass"
            let bypassURL = try #require(components.string)

            let (status, output) = try await ChildProcess.run(
                "otto-api", ["check-config", "--connect"], environment: ["DATABASE_URL": bypassURL])
            let (plainStatus, plainOutput) = try await ChildProcess.run(
                "otto-api", ["check-config", "--connect"], environment: ["DATABASE_URL": database])
            try await Self.superuser("DROP ROLE \(role)")

            #expect(status == 0, "\(output)")
            #expect(output.contains("database: ok"), "\(output)")
            #expect(output.contains("warning: the database user has BYPASSRLS"), "\(output)")
            #expect(!output.contains("bypass@"))
            // The application's own role is neither: no warning.
            #expect(plainStatus == 0, "\(plainOutput)")
            #expect(!plainOutput.contains("warning"), "\(plainOutput)")
        }

        @Test(
            "a worker or beat whose flag is off says in check-config that it will idle", arguments: ["worker", "beat"])
        func disabledProcessSaysItWillIdle(process: String) async throws {
            let flag = process == "worker" ? "ENABLE_CELERY" : "ENABLE_CELERY_BEAT"
            let (status, output) = try await ChildProcess.run(
                "otto-\(process)", ["check-config"], environment: ["APP_ENV": "production"])
            #expect(status == 0, "\(output)")
            #expect(output.contains("\(flag) is not true: this \(process) will idle until stopped"), "\(output)")
            let (enabledStatus, enabled) = try await ChildProcess.run(
                "otto-\(process)", ["check-config"],
                environment: [
                    "APP_ENV": "test", flag: "true", "REDIS_URL": try TestServices.redisURL(),
                    "DATABASE_URL": try TestServices.databaseURL(),
                ])
            #expect(enabledStatus == 0, "\(enabled)")
            #expect(!enabled.contains("will idle"))
        }
    }
}
