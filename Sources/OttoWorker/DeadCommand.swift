import ArgumentParser
import OttoCalls
import OttoCore
import OttoProcessKit
import OttoRedis
import OttoTasks

/// `otto-worker dead list|replay|purge`: the dead-letter streams.
struct DeadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dead", abstract: "List, replay or purge dead-lettered tasks.",
        subcommands: [List.self, Replay.self, Purge.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List a queue's dead letters, oldest first.")
        @Option(help: "The queue.") var queue: String = "default"
        @Option(help: "At most this many.") var limit: Int = 100
        @Flag(help: "Print one JSON document.") var json = false

        func run() async throws {
            let context = try OperatorContext.make()
            do {
                let letters = try await RedisTaskQueue(redis: context.redis, keys: context.keys)
                    .deadLetters(queue: queue, limit: limit)
                await context.redis.close()
                if json {
                    try OperatorContext.printJSON(DeadList(queue: queue, dead: letters))
                } else {
                    print("\(letters.count) dead letter(s) on \(queue)")
                    for letter in letters {
                        print(
                            "  \(letter.envelope?.id ?? letter.entryID)  \(letter.envelope?.name ?? "?")  attempt \(letter.envelope?.attempt ?? 0): \(letter.reason)"
                        )
                    }
                }
            } catch {
                await context.redis.close()
                throw OperatorContext.fail(error)
            }
        }

        struct DeadList: Encodable {
            var queue: String
            var dead: [RedisTaskQueue.DeadLetter]
        }
    }

    struct Replay: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Put dead letters back on their queue with fresh attempts.")
        @Option(help: "The queue.") var queue: String = "default"
        @Option(name: .customLong("id"), help: "Only these task ids (repeatable); all when omitted.") var ids:
            [String] = []
        @Flag(help: "Print one JSON document: {\"queue\": …, \"ids\": […]}.") var json = false

        func run() async throws {
            let context = try OperatorContext.make()
            do {
                let replayed = try await RedisTaskQueue(redis: context.redis, keys: context.keys)
                    .replay(queue: queue, entryIDs: ids.isEmpty ? nil : ids)
                await context.redis.close()
                if json {
                    try OperatorContext.printJSON(EnqueueCommand.EnqueueOutput(queue: queue, ids: replayed))
                } else {
                    print("replayed \(replayed.count) task(s) on \(queue)")
                }
            } catch {
                await context.redis.close()
                throw OperatorContext.fail(error)
            }
        }
    }

    struct Purge: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a queue's dead letters.")
        @Option(help: "The queue.") var queue: String = "default"
        @Flag(help: "Print one JSON document: {\"queue\": …, \"purged\": n}.") var json = false

        func run() async throws {
            let context = try OperatorContext.make()
            do {
                let purged = try await RedisTaskQueue(redis: context.redis, keys: context.keys).purgeDead(queue: queue)
                await context.redis.close()
                if json {
                    try OperatorContext.printJSON(["queue": .string(queue), "purged": JSONValue.number(Double(purged))])
                } else {
                    print("purged \(purged) dead letter(s) from \(queue)")
                }
            } catch {
                await context.redis.close()
                throw OperatorContext.fail(error)
            }
        }
    }
}
