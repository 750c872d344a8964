import Foundation
import OttoCalls
import OttoCore
import OttoProcessKit
import Testing

/// Tenants' signing keys at rest: AES-GCM under TENANT_SECRETS_KEY, bound to the tenant.
@Suite struct TenantSecretsKeyTests {
    static func randomKey() throws -> TenantSecretsKey {
        try TenantSecretsKey(base64: Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString())
    }

    static let tenant = "0b6d1f4e-8c2a-4a1b-9d3e-5f6a7b8c9d0e"
    static let other = "1c7e2f5a-9d3b-4b2c-8e4f-6a7b8c9d0e1f"

    @Test("a sealed key opens for its tenant only, under its key only, and not after a change")
    func boundToTenant() throws {
        let key = try Self.randomKey()
        let sealed = try key.seal("callrail-secret-token", tenantID: Self.tenant, purpose: .callRailSigningKey)
        #expect(try key.open(sealed, tenantID: Self.tenant, purpose: .callRailSigningKey) == "callrail-secret-token")
        #expect(
            try key.open(sealed, tenantID: Self.tenant.uppercased(), purpose: .callRailSigningKey)
                == "callrail-secret-token")
        #expect(throws: TenantSecretsKey.Failure.self) {
            try key.open(sealed, tenantID: Self.other, purpose: .callRailSigningKey)
        }
        #expect(throws: TenantSecretsKey.Failure.self) {
            try Self.randomKey().open(sealed, tenantID: Self.tenant, purpose: .callRailSigningKey)
        }
        for index in sealed.indices {
            var changed = sealed
            changed[index] ^= 0x01
            #expect(throws: TenantSecretsKey.Failure.self) {
                try key.open(changed, tenantID: Self.tenant, purpose: .callRailSigningKey)
            }
        }
        #expect(!String(decoding: sealed, as: UTF8.self).contains("callrail-secret-token"))
    }

    @Test("every seal uses a fresh nonce: the same key sealed twice gives different bytes")
    func freshNonce() throws {
        let key = try Self.randomKey()
        let first = try key.seal("same", tenantID: Self.tenant, purpose: .callRailSigningKey)
        let second = try key.seal("same", tenantID: Self.tenant, purpose: .callRailSigningKey)
        #expect(first != second)
        #expect(first[1..<13] != second[1..<13])
    }

    @Test("TENANT_SECRETS_KEY must be base64 of exactly 32 bytes")
    func parsing() throws {
        _ = try TenantSecretsKey(base64: Data(repeating: 7, count: 32).base64EncodedString())
        _ = try TenantSecretsKey(base64: "  " + Data(repeating: 7, count: 32).base64EncodedString() + "\n")
        for bad in [
            "", "not base64!", Data(repeating: 7, count: 16).base64EncodedString(),
            Data(repeating: 7, count: 33).base64EncodedString(),
        ] {
            #expect(throws: TenantSecretsKey.Failure.self) { try TenantSecretsKey(base64: bad) }
        }
        let key = try Self.randomKey()
        #expect("\(key)" == "<redacted>")
        #expect(String(reflecting: key) == "<redacted>")
    }

    @Test("the configuration validates TENANT_SECRETS_KEY and never echoes it")
    func configuration() throws {
        let base = ["APP_ENV": "test", "DATABASE_URL": "postgres://otto@127.0.0.1:5432/otto"]
        let short = "CANARYshort" + Data(repeating: 1, count: 8).base64EncodedString()
        let error = try #require(throws: ConfigurationError.self) {
            try APIProcessConfiguration.load(
                environment: base.merging(["TENANT_SECRETS_KEY": short]) { _, new in new })
        }
        #expect("\(error)".contains("TENANT_SECRETS_KEY"))
        #expect(!"\(error)".contains("CANARY"))
        let good = Data(repeating: 9, count: 32).base64EncodedString()
        let configuration = try APIProcessConfiguration.load(
            environment: base.merging(["TENANT_SECRETS_KEY": good]) { _, new in new })
        #expect(configuration.webhooks.tenantSecretsKey != nil)
        #expect(!String(reflecting: configuration).contains(good))
        #expect(ConfigurationSource.secretVariables.contains("TENANT_SECRETS_KEY"))
    }
}
