import OttoRedis
import OttoSupport
import OttoTasks

/// A one-step workflow for the fairness run: sleeps `delay_ms`, notes its end (holder → unix
/// seconds, and its place in the order of ends), then releases its tenant's slot as the
/// workflow engine does when a workflow ends.
struct FairStepTask: OttoTask {
    struct Arguments: Codable, Sendable {
        var tenant: String
        var holder: String
        var delayMs: Int

        enum CodingKeys: String, CodingKey {
            case tenant, holder
            case delayMs = "delay_ms"
        }
    }

    static let name = "throttle.fair_step"
    static var maxAttempts: Int { 1 }

    let redis: RedisClient
    let keys: RedisKeys
    let admission: FairAdmission

    /// Hash of holder → unix seconds at which its step ended.
    var endedKey: String { keys.prefix + "ended" }
    /// List of holders in the order their steps ended.
    var orderKey: String { keys.prefix + "order" }

    func run(_ arguments: Arguments, context: TaskContext) async throws -> String {
        try await Task.sleep(for: .milliseconds(arguments.delayMs))
        _ = try await redis.pipeline([
            ["HSET", endedKey, arguments.holder, String(UnixTime.now())], ["RPUSH", orderKey, arguments.holder],
        ])
        try await admission.release(tenant: arguments.tenant, holder: arguments.holder)
        return "done"
    }
}
