import OttoRedis
import OttoTasks
import Testing

/// AUTH on connect, against a redis-server of the test's own started with `--requirepass`
/// (so the shared test server keeps no users or passwords).
@Suite("RedisClient authentication")
struct RedisAuthTests {
    // Throwaway values for a server that lives only as long as this test.
    static let adminPassword = "otto-test-admin-pw"
    static let workerPassword = "otto-test-worker-pw"

    @Test("AUTH with a password, AUTH with username and password, and a wrong password")
    func authenticates() async throws {
        let server = try await RedisTestServer(arguments: ["--requirepass", Self.adminPassword])
        defer { server.terminate() }

        // No password: commands are refused with NOAUTH.
        let anonymous = RedisTestEnvironment.client(server.endpoint)
        await #expect {
            try await anonymous.send(["SET", "k", "v"])
        } throws: { error in
            (error as? RedisError)?.serverErrorKind == "NOAUTH"
        }
        await anonymous.close()

        // `AUTH password` (the default user).
        var endpoint = server.endpoint
        endpoint.password = Self.adminPassword
        let admin = RedisTestEnvironment.client(endpoint)
        #expect(try await admin.send(["ACL", "WHOAMI"]).string == "default")
        _ = try await admin.send([
            "ACL", "SETUSER", "otto-worker", "on", ">\(Self.workerPassword)", "~otto:*", "+@all",
        ])

        // `AUTH username password`, also for dedicated connections.
        let worker = RedisTestEnvironment.client(
            try RedisEndpoint(
                url: "redis://otto-worker:\(Self.workerPassword)@127.0.0.1:\(server.port)/0")
        )
        #expect(try await worker.send(["ACL", "WHOAMI"]).string == "otto-worker")
        let dedicated = try await worker.makeDedicatedConnection()
        #expect(try await dedicated.send(["ACL", "WHOAMI"]).string == "otto-worker")
        await dedicated.close()
        await worker.close()

        // A wrong password fails the connect with the server's WRONGPASS, and no error text
        // carries the password.
        let wrong = RedisTestEnvironment.client(
            try RedisEndpoint(url: "redis://otto-worker:not-the-password@127.0.0.1:\(server.port)")
        )
        await #expect {
            try await wrong.ping()
        } throws: { error in
            guard let error = error as? RedisError else { return false }
            return error.code == .server && error.serverErrorKind == "WRONGPASS"
                && !"\(error) \(error.serverMessage ?? "")".contains("not-the-password")
        }
        await wrong.close()

        _ = try await admin.send(["ACL", "DELUSER", "otto-worker"])
        await admin.close()
    }
}
