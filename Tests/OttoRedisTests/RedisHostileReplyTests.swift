import OttoRedis
import Testing

/// What the Redis client does with a reply no real server sends: an array header declaring two
/// billion elements (14 bytes) is refused as a protocol error at once, instead of hiredis
/// reserving a 16 GiB element table and the command waiting for elements that never come.
@Suite("Redis hostile replies")
struct RedisHostileReplyTests {
    @Test("an array header beyond the reader's limit fails the command with a protocol error")
    func hugeArrayHeaderIsAProtocolError() async throws {
        let server = try await RedisScriptedServer(answer: Array("*2147483647\r\n".utf8))
        var options = RedisClient.Options()
        options.commandTimeout = .seconds(20)
        let client = RedisTestEnvironment.client(RedisEndpoint(host: "127.0.0.1", port: server.port), options: options)
        var caught: RedisError?
        do {
            _ = try await client.send(["PING"])
        } catch {
            caught = error as? RedisError
        }
        #expect(caught?.code == .protocolError, "\(String(describing: caught))")
        await client.close()
        await server.close()
    }

    @Test("nested arrays below the limit still read as before")
    func nestedArraysStillRead() async throws {
        let server = try await RedisScriptedServer(answer: Array("*1\r\n*1\r\n:7\r\n".utf8))
        let client = RedisTestEnvironment.client(RedisEndpoint(host: "127.0.0.1", port: server.port))
        #expect(try await client.send(["PING"]) == .array([.array([.integer(7)])]))
        await client.close()
        await server.close()
    }
}
