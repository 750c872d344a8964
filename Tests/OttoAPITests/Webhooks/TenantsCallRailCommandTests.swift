import Foundation
import OttoCalls
import OttoCore
import OttoPostgres
import OttoProcessKit
import OttoTasks
import OttoTestSupport
import Testing

/// `otto-api tenants create|update … --callrail-company-id … --callrail-signing-key-file …`,
/// through the real binary.
@Suite("Tenants commands: CallRail bindings")
struct TenantsCallRailCommandTests {
    static func org() -> String { "org_cr_\(UUID().uuidString.prefix(8))" }

    @Test("create binds the company and stores the key, which no output ever shows; a repeat is idempotent")
    func createWithBinding() async throws {
        let key = TenantsCLI.newKey("create")
        let file = try TenantsCLI.keyFile(key)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let (org, company) = (Self.org(), TenantsCLI.company())
        let arguments = [
            "create", "--clerk-org", org, "--name", "Acme", "--callrail-company-id", company,
            "--callrail-signing-key-file", file,
        ]
        let (status, output) = try await TenantsCLI.run(arguments + ["--json"])
        #expect(status == 0, "\(output)")
        #expect(!output.contains(key))
        let created = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])
        let id = try #require(created["id"] as? String)
        #expect(
            created["callrail"] as? NSDictionary == [
                "company_id": company, "signing_key": "set", "previous_key_valid_until": NSNull(),
            ])

        // The same binding again: the same tenant, unchanged; text output hides the key too.
        let (again, text) = try await TenantsCLI.run(arguments)
        #expect(again == 0, "\(text)")
        #expect(text.contains(id) && text.contains(company) && text.contains("signing key set"))
        #expect(!text.contains(key))
        // Another binding for an existing tenant is update's job.
        let (other, message) = try await TenantsCLI.run([
            "create", "--clerk-org", org, "--name", "Acme", "--callrail-company-id", TenantsCLI.company(),
        ])
        #expect(other == 1)
        #expect(message.contains("otto-api tenants update \(id)"), "\(message)")

        let (listed, list) = try await TenantsCLI.run(["list", "--json"])
        #expect(listed == 0)
        #expect(!list.contains(key))
        let tenants = try #require(try JSONSerialization.jsonObject(with: Data(list.utf8)) as? [[String: Any]])
        let mine = try #require(tenants.first { $0["id"] as? String == id })
        #expect((mine["callrail"] as? [String: Any])?["signing_key"] as? String == "set")
    }

    @Test("update rotates the key: the previous one is kept for 24 h by default, for the window given, or dropped")
    func rotation() async throws {
        let created = try await TenantsCLI.json(["create", "--clerk-org", Self.org(), "--name", "Rotating"])
        let id = try #require(created["id"] as? String)
        let keys = (0..<3).map { TenantsCLI.newKey("rot\($0)") }
        let files = try keys.map(TenantsCLI.keyFile)
        defer { for file in files { try? FileManager.default.removeItem(atPath: file) } }

        // The first key: nothing to rotate from.
        let first = try await TenantsCLI.json(["update", id, "--callrail-signing-key-file", files[0]])
        #expect(
            first["callrail"] as? NSDictionary == [
                "company_id": NSNull(), "signing_key": "set", "previous_key_valid_until": NSNull(),
            ])
        // The second: the first stays valid for a day.
        let before = Date()
        let second = try await TenantsCLI.json(["update", id, "--callrail-signing-key-file", files[1]])
        let until = try #require((second["callrail"] as? [String: Any])?["previous_key_valid_until"] as? String)
        let instant = try #require(ISO8601DateFormatter().date(from: until))
        #expect(abs(instant.timeIntervalSince(before) - 86_400) < 600, "\(until)")
        // The operator shortens the window, then ends the rotation.
        let shortened = try await TenantsCLI.json(["update", id, "--previous-key-valid-for", "2h"])
        let shortUntil = try #require((shortened["callrail"] as? [String: Any])?["previous_key_valid_until"] as? String)
        #expect(abs(try #require(ISO8601DateFormatter().date(from: shortUntil)).timeIntervalSince(before) - 7200) < 600)
        let ended = try await TenantsCLI.json(["update", id, "--previous-key-valid-for", "0"])
        #expect((ended["callrail"] as? [String: Any])?["previous_key_valid_until"] is NSNull)
        let (none, noneMessage) = try await TenantsCLI.run(["update", id, "--previous-key-valid-for", "1h"])
        #expect(none == 1)
        #expect(noneMessage.contains("no previous CallRail signing key"))
        // A rotation with no window drops the old key at once.
        let third = try await TenantsCLI.json([
            "update", id, "--callrail-signing-key-file", files[2], "--previous-key-valid-for", "0",
        ])
        #expect((third["callrail"] as? [String: Any])?["previous_key_valid_until"] is NSNull)
        let cleared = try await TenantsCLI.json(["update", id, "--clear-callrail-key", "--name", "Renamed"])
        #expect((cleared["callrail"] as? [String: Any])?["signing_key"] as? String == "not set")
        #expect(cleared["name"] as? String == "Renamed")

        // What the database holds is the last key, sealed for this tenant.
        let pool = PostgresPool(
            configuration: PostgresConfiguration(url: try TestServices.databaseURL(), poolSize: 1),
            logger: .init(label: "otto.tests"))
        let row = try await pool.query(
            "SELECT callrail_signing_key IS NULL AS cleared FROM tenants WHERE id = $1::uuid", [id]
        ).first
        await pool.shutdown()
        #expect(try row?.decode(Bool.self, "cleared") == true)
    }

    @Test("operator mistakes get clear messages and exit codes, never an echo of the key")
    func mistakes() async throws {
        let key = TenantsCLI.newKey("mistake")
        let file = try TenantsCLI.keyFile(key)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let company = TenantsCLI.company()
        let first = try await TenantsCLI.json([
            "create", "--clerk-org", Self.org(), "--name", "One", "--callrail-company-id", company,
        ])
        let id = try #require(first["id"] as? String)

        // No TENANT_SECRETS_KEY: a key cannot be stored (78, like any configuration error).
        let (noSecrets, noSecretsMessage) = try await TenantsCLI.run(
            ["update", id, "--callrail-signing-key-file", file],
            environment: try TenantsCLI.environment(secretsKey: nil))
        #expect(noSecrets == 78)
        #expect(noSecretsMessage.contains("TENANT_SECRETS_KEY is required"))
        // One company, one tenant.
        let (taken, takenMessage) = try await TenantsCLI.run([
            "create", "--clerk-org", Self.org(), "--name", "Two", "--callrail-company-id", company,
        ])
        #expect(taken == 1)
        #expect(takenMessage.contains("already bound to another tenant"))
        // Unknown tenant, bad flags.
        let (unknown, unknownMessage) = try await TenantsCLI.run([
            "update", UUID().uuidString.lowercased(), "--name", "X",
        ])
        #expect(unknown == 1)
        #expect(unknownMessage.contains("no tenant has the id"))
        for arguments in [
            ["update", id, "--clear-callrail-key", "--callrail-signing-key-file", file],
            ["update", id, "--previous-key-valid-for", "24"], ["update", id, "--previous-key-valid-for", "91d"],
            ["update", "not-a-uuid", "--name", "X"], ["update", id, "--callrail-company-id", "a b"],
            ["update", id, "--callrail-signing-key-file", "/nonexistent/key"],
        ] {
            let (status, output) = try await TenantsCLI.run(arguments)
            #expect(status == 64, "\(arguments): \(output)")
            #expect(!output.contains(key))
        }
    }
}
