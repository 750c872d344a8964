import ArgumentParser
import OttoCalls
import OttoCore
import OttoProcessKit
import OttoRedis
import OttoTasks

/// `otto-worker enqueue NAME …`: puts tasks on a queue (like `celery call`), printing their ids.
struct EnqueueCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "enqueue", abstract: "Enqueue tasks by name and print their ids.")

    @Argument(help: "The task name, e.g. otto.ping.") var name: String
    @Option(help: "Arguments as a JSON object.") var args: String = "{}"
    @Option(help: "How many identical tasks to enqueue.") var count: Int = 1
    @Option(help: "The queue (the task's default when omitted).") var queue: String?
    @Option(help: "Seconds to wait before the task may run.") var delay: Double = 0
    @Option(help: "Attempts before the task is dead-lettered.") var maxAttempts: Int?
    @Flag(help: "Print one JSON document: {\"queue\": …, \"ids\": […]}.") var json = false

    /// The longest delay: a year, so the due time in milliseconds stays far inside Int64.
    static let maximumDelay: Double = 31_536_000
    static let maximumAttempts = 1000

    func validate() throws {
        guard count >= 1 && count <= 10_000_000 else { throw ValidationError("--count must be from 1 to 10000000") }
        guard delay.isFinite, (0...Self.maximumDelay).contains(delay) else {
            throw ValidationError("--delay must be from 0 to \(Int(Self.maximumDelay)) seconds (a year)")
        }
        if let maxAttempts, !(1...Self.maximumAttempts).contains(maxAttempts) {
            throw ValidationError("--max-attempts must be from 1 to \(Self.maximumAttempts)")
        }
        if let queue, !QueueName.isValid(queue) { throw ValidationError("--queue must match [a-z0-9_-]{1,64}") }
        guard RedisTaskQueue.isJSONObject(args) else { throw ValidationError("--args must be a JSON object") }
    }

    func run() async throws {
        let context = try OperatorContext.make()
        let taskQueue = RedisTaskQueue(redis: context.redis, keys: context.keys)
        let options = EnqueueOptions(queue: queue, delay: delay, maxAttempts: maxAttempts)
        do {
            let target = try taskQueue.makeEnvelope(name: name, arguments: args, options: options).queue
            try await taskQueue.ensureGroup(target)
            let ids: [String]
            if count == 1 {
                ids = [try await taskQueue.enqueue(name: name, arguments: args, options: options).id]
            } else {
                ids = try await taskQueue.enqueueMany(name: name, arguments: args, count: count, options: options)
            }
            if json {
                try OperatorContext.printJSON(EnqueueOutput(queue: target, ids: ids))
            } else {
                print("enqueued \(ids.count) × \(name) on \(target)")
                for id in ids.prefix(20) { print("  \(id)") }
                if ids.count > 20 { print("  … \(ids.count - 20) more") }
            }
            await context.redis.close()
        } catch {
            await context.redis.close()
            throw OperatorContext.fail(error)
        }
    }

    struct EnqueueOutput: Encodable {
        var queue: String
        var ids: [String]
    }
}
