import ArgumentParser
import OttoCalls
import OttoCore
import OttoRedis
import OttoTasks

/// `otto-worker inspect`: queues, live workers and the canary (like `celery inspect`).
struct InspectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect", abstract: "Show queue depths, live workers and the pipeline canary.")

    @Flag(help: "Print one JSON document.") var json = false

    func run() async throws {
        let context = try OperatorContext.make()
        do {
            let snapshot = try await FleetSnapshot.read(redis: context.redis, keys: context.keys)
            await context.redis.close()
            if json {
                try OperatorContext.printJSON(snapshot)
                return
            }
            print("queue        waiting  pending  delayed  dead")
            for (name, depth) in snapshot.queues.sorted(by: { $0.key < $1.key }) {
                print(
                    name.padding(12) + " " + String(depth.waiting).padding(8) + " " + String(depth.pending).padding(8)
                        + " "
                        + String(depth.delayed).padding(8) + " " + String(depth.dead))
            }
            print("\nworkers: \(snapshot.workers.count)")
            for worker in snapshot.workers {
                print(
                    "  \(worker.id)  host=\(worker.host) pid=\(worker.pid) queues=\(worker.queues.joined(separator: ",")) "
                        + "concurrency=\(worker.concurrency) in_flight=\(worker.inFlight) processed=\(worker.processed) "
                        + "failed=\(worker.failed) age=\(worker.ageSeconds)s")
            }
            let canary = snapshot.canary.lastCompletedAgeSeconds.map { "\($0)s ago" } ?? "never"
            print("\ncanary: last completed \(canary)")
        } catch {
            await context.redis.close()
            throw OperatorContext.fail(error)
        }
    }
}

extension String {
    fileprivate func padding(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
