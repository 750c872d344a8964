import Foundation
import Logging
import OttoCalls
import OttoCore
import OttoPostgres
import OttoProcessKit
import OttoTasks
import OttoTestSupport
import Testing

@Suite("Tenants commands")
struct TenantsCommandTests {
    @Test("tenants create is idempotent per organisation and list prints the same JSON contract")
    func createAndList() async throws {
        let environment = [
            "APP_ENV": "test", "DATABASE_URL": try TestServices.databaseURL(), "PUBLIC_BASE_URL": "https://otto.test/",
        ]
        let pool = PostgresPool(
            configuration: PostgresConfiguration(url: try TestServices.databaseURL(), poolSize: 1),
            logger: Logger(label: "otto.tests"))
        try await MigrationRunner(pool: pool, logger: Logger(label: "otto.tests")).migrate()
        await pool.shutdown()
        let org = "org_cli_\(UUID().uuidString.prefix(8))"

        let (status, output) = try await ChildProcess.run(
            "otto-api", ["tenants", "create", "--clerk-org", org, "--name", "Acme Roofing", "--json"],
            environment: environment)
        #expect(status == 0, "\(output)")
        let created = try #require(
            try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any], "\(output)")
        let id = try #require(created["id"] as? String)
        #expect(UUID(uuidString: id) != nil)
        #expect(created["clerk_org"] as? String == org)
        #expect(created["name"] as? String == "Acme Roofing")
        #expect(
            created["webhooks"] as? [String: String] == [
                "twilio": "https://otto.test/webhooks/twilio/\(id)",
                "callrail": "https://otto.test/webhooks/callrail/\(id)",
            ])
        #expect(Set(created.keys) == ["id", "clerk_org", "name", "webhooks", "callrail"])
        #expect(
            created["callrail"] as? NSDictionary == [
                "company_id": NSNull(), "signing_key": "not set", "previous_key_valid_until": NSNull(),
            ])

        let (_, again) = try await ChildProcess.run(
            "otto-api", ["tenants", "create", "--clerk-org", org, "--name", "Other name", "--json"],
            environment: environment)
        let repeated = try JSONSerialization.jsonObject(with: Data(again.utf8)) as? [String: Any]
        #expect(repeated?["id"] as? String == id)

        let (listStatus, listed) = try await ChildProcess.run(
            "otto-api", ["tenants", "list", "--json"], environment: environment)
        #expect(listStatus == 0)
        let tenants = try #require(try JSONSerialization.jsonObject(with: Data(listed.utf8)) as? [[String: Any]])
        let mine = tenants.filter { $0["id"] as? String == id }
        #expect(mine.count == 1)
        #expect(mine.first?["clerk_org"] as? String == org)
    }

    @Test("on a database that was never migrated, every tenants command says to run otto-api migrate")
    func unmigratedDatabase() async throws {
        let database = try await OwnDatabase.create("unmigrated", migrated: false)
        let environment = ["APP_ENV": "test", "DATABASE_URL": database.url, "PUBLIC_BASE_URL": "https://otto.test"]
        for arguments in [
            ["list"], ["create", "--clerk-org", "org_unmigrated", "--name", "Acme"], ["usage", "--json"],
        ] {
            let (status, output) = try await ChildProcess.run(
                "otto-api", ["tenants"] + arguments, environment: environment)
            #expect(status == 1, "\(arguments): \(output)")
            #expect(output.contains("run `otto-api migrate`"), "\(arguments): \(output)")
            #expect(!output.contains("PostgresError"), "\(arguments): \(output)")
        }
        await database.drop()
    }
}
