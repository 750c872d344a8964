import Foundation
import OttoRedis
import Testing

/// `rediss://` against the TLS server from `OTTO_TEST_REDIS_TLS_URL`.
@Suite("RedisClient over TLS")
struct RedisTLSTests {
    @Test("a rediss:// round trip verifies the server with the CA file")
    func roundTrip() async throws {
        let endpoint = try RedisTestEnvironment.tlsEndpoint()
        #expect(endpoint.useTLS)
        let client = RedisTestEnvironment.client(endpoint)
        let prefix = RedisTestEnvironment.uniquePrefix("tls")
        try await client.ping()
        #expect(try await client.send(["SET", prefix + "k", "over-tls"]) == .simpleString("OK"))
        let replies = try await client.pipeline([["GET", prefix + "k"], ["DEL", prefix + "k"]])
        #expect(replies == [.bulkString(Array("over-tls".utf8)), .integer(1)])
        let dedicated = try await client.makeDedicatedConnection()
        #expect(try await dedicated.send(["ECHO", "tls"]).string == "tls")
        await dedicated.close()
        await client.close()
    }

    @Test("a CA that did not sign the server certificate fails with a TLS error")
    func wrongCAFails() async throws {
        var endpoint = try RedisTestEnvironment.tlsEndpoint()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "otto-redis-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let wrongCA = directory.appendingPathComponent("unrelated-ca.pem")
        try Self.unrelatedCA.write(to: wrongCA, atomically: true, encoding: .utf8)
        endpoint.tlsCAFile = wrongCA.path

        let client = RedisTestEnvironment.client(endpoint)
        // The handshake's verdict on the certificate, not any other TLS failure (the CA file
        // itself loads: it is a valid certificate).
        func untrusted(_ error: any Error) -> Bool {
            guard let error = error as? RedisError, error.code == .tls else { return false }
            return error.underlying.map { String(describing: $0) }?.contains("CERTIFICATE_VERIFY_FAILED") == true
        }
        await #expect(performing: { try await client.ping() }, throws: untrusted)
        // A dedicated connection is a connection of its own (no shared backoff window): its
        // handshake fails the same way.
        await #expect(performing: { try await client.makeDedicatedConnection() }, throws: untrusted)
        await client.close()
    }

    @Test("without a CA file the system trust store is used, which does not trust the test CA")
    func systemTrustStoreRejectsTestCA() async throws {
        var endpoint = try RedisTestEnvironment.tlsEndpoint()
        endpoint.tlsCAFile = nil
        let client = RedisTestEnvironment.client(endpoint)
        await #expect {
            try await client.ping()
        } throws: { error in
            (error as? RedisError)?.code == .tls
        }
        await client.close()
    }

    @Test("a CA file that does not exist is a TLS error, not a crash")
    func missingCAFile() async throws {
        var endpoint = try RedisTestEnvironment.tlsEndpoint()
        endpoint.tlsCAFile = "/nonexistent/otto-ca.pem"
        let client = RedisTestEnvironment.client(endpoint)
        await #expect {
            try await client.ping()
        } throws: { error in
            (error as? RedisError)?.code == .tls
        }
        await client.close()
    }

    /// A self-signed CA certificate (public part only) made for this test; it signed nothing.
    static let unrelatedCA = """
        -----BEGIN CERTIFICATE-----
        MIIDJTCCAg2gAwIBAgIUIxMqeTnD+tlsNDtmgvk3jenHqvMwDQYJKoZIhvcNAQEL
        BQAwITEfMB0GA1UEAwwWT3R0byBVbnJlbGF0ZWQgVGVzdCBDQTAgFw0yNjExMjkx
        MzI4MDVaGA8yMTI2MTEwNTEzMjgwNVowITEfMB0GA1UEAwwWT3R0byBVbnJlbGF0
        ZWQgVGVzdCBDQTCCASIwDQYJKoZIhvcNAQEBBQADggEPADCCAQoCggEBAJN7u9Ob
        ji0RWUZk8vVHExUpifeu3JIhAL+KsCr4A355lwG0gVs+C9pOKrFolyd1pcwf+d0N
        vkHLw6joEi1rVmEmU364Mwx34d7L2HCIPVD0nqGGkcQ4eO4s3oLOFqp/tqqtWmhm
        bpWP54jDfYYoQ1UKdx8zewbuKiZ9JZ/q0ACs9Qe3SYoqaU3wboBlgP9BtC7g17xm
        o7dTp+MYPnToF8dO6SyDggpRecYfBh0/ee7HztloIaDQEoHhkUu3PBo0E4/YCzKr
        W0uBcWlBDteXMmsR2A31vXCWMBjc4y+0xwx6SkBT1iOVGa3aRQMRRWhsF2oeIo+v
        V3FEdq+lRZrOaeMCAwEAAaNTMFEwHQYDVR0OBBYEFPp3HqWA0W3JPQoARp6MSH+o
        dgW4MB8GA1UdIwQYMBaAFPp3HqWA0W3JPQoARp6MSH+odgW4MA8GA1UdEwEB/wQF
        MAMBAf8wDQYJKoZIhvcNAQELBQADggEBAAct2g7xphWsQNcurdHnXMGbxw+DO8KX
        cFIJ5SFy4UGneaypGcqnQ3qjj0ZG5IZX6EytWawOWuFhVXXs4LpajLtE8Bwc23qO
        GHXqR4EA/OpYO+ogJ1EkVImlj3AxFAjeVuoiEjKLxy4d5nhTYnGbUy/6rsXjy6BS
        JNZTfyxa38i8xhTFFJ3Y6rNksXIPKOYLukrIUvUGouEI1innIIN41y2SmgafNWdU
        /rsq395m8RzyJH7V7xqHSYuh65HQkkqzflpJNQOCqC2euSvgPiYZc5G02hao/d+m
        u2X2ktTQKP899oPg79XY0JK7mZJVQbd/HWOZixaUD/sG+E8CFzYzSlg=
        -----END CERTIFICATE-----
        """
}
