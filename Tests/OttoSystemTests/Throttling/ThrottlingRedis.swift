import Foundation
import Logging
import OttoRedis
import OttoTasks
import OttoTestSupport

/// Redis clients under a private key prefix for the throttling tests: several clients, so
/// concurrent callers race through separate connections as workers do.
struct ThrottlingRedis {
    let prefix: String
    let keys: RedisKeys
    let clients: [RedisClient]
    var redis: RedisClient { clients[0] }

    init(name: String, clients count: Int = 1) throws {
        let url = try TestServices.redisURL()
        prefix = TestServices.uniquePrefix(name)
        keys = RedisKeys(prefix: prefix)
        clients = try (0..<max(1, count)).map { _ in
            RedisClient(endpoint: try RedisEndpoint(url: url), logger: Logger(label: "test"))
        }
    }

    /// The envelopes in a queue's stream, oldest first.
    func streamEnvelopes(_ queue: String) async throws -> [TaskEnvelope] {
        let reply = try await redis.send(["XRANGE", keys.stream(queue), "-", "+"])
        return (reply.array ?? []).compactMap { entry in
            guard let parts = entry.array, parts.count == 2, let fields = parts[1].array, fields.count == 2,
                let text = fields[1].string
            else { return nil }
            return try? TaskEnvelope.decode(text)
        }
    }

    func cleanUp() async {
        // The prefix is followed by a hash tag ("{queue}" or "{outbound:…}"); KEYS matches both.
        if let found = try? await redis.send(["KEYS", prefix + "*"]).array?.compactMap(\.string), !found.isEmpty {
            _ = try? await redis.send(["DEL"] + found)
        }
        for client in clients { await client.close() }
    }
}
