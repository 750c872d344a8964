import ArgumentParser
import OttoCalls
import OttoCore
import OttoProcessKit
import OttoRedis
import OttoTasks

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `otto-worker inspect`: queues, live workers and the canary (like `celery inspect`), and the
/// call pipeline: its workflows (with `DATABASE_URL`), each tenant's admitted and waiting
/// workflows, and each provider's limit in use.
struct InspectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show queue depths, live workers, the pipeline canary and the call pipeline.")

    @Flag(help: "Print one JSON document.") var json = false

    func run() async throws {
        let context = try OperatorContext.make()
        do {
            let fleet = try await FleetSnapshot.read(redis: context.redis, keys: context.keys)
            let pipeline = try await PipelineInspection.snapshot(
                context.configuration, redis: context.redis, keys: context.keys, logger: context.logger)
            await context.redis.close()
            if json {
                try OperatorContext.printJSON(InspectReport(fleet: fleet, pipeline: pipeline))
                return
            }
            Self.printFleet(fleet)
            Self.printPipeline(pipeline)
        } catch {
            await context.redis.close()
            throw OperatorContext.fail(error)
        }
    }

    static func printFleet(_ snapshot: FleetSnapshot) {
        print("queue        waiting  pending  delayed  dead")
        for (name, depth) in snapshot.queues.sorted(by: { $0.key < $1.key }) {
            print(
                name.padding(12) + " " + String(depth.waiting).padding(8) + " " + String(depth.pending).padding(8)
                    + " " + String(depth.delayed).padding(8) + " " + String(depth.dead))
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
    }

    static func printPipeline(_ pipeline: PipelineSnapshot) {
        print("\ncall pipeline (\(CallPipelineWorkflow.name))")
        if let workflows = pipeline.workflows {
            let oldest = workflows.oldestUnfinishedAgeSeconds.map { " (oldest moved \(Int($0))s ago)" } ?? ""
            print(
                "  workflows: \(workflows.queued) queued, \(workflows.running) running\(oldest); "
                    + "\(workflows.failedLastDay) failed in the last day")
            for failure in workflows.recentFailures {
                print(
                    "    failed \(Int(failure.ageSeconds))s ago: call \(failure.subjectID) tenant \(failure.tenantID) "
                        + "run \(failure.run) step \(failure.step ?? "-"): \(failure.error ?? "no reason recorded")")
            }
        } else {
            print("  workflows: unknown (\(pipeline.workflowsProblem ?? "no PostgreSQL"))")
        }
        print("  tenants: \(pipeline.backlogs.count) with workflows admitted or waiting")
        for backlog in pipeline.backlogs {
            let oldest = backlog.oldestWaitingAt.map { " oldest waiting since \(Int($0))" } ?? ""
            print("    \(backlog.tenant)  active=\(backlog.active) waiting=\(backlog.waiting)\(oldest)")
        }
        print("  provider limits:")
        for limit in pipeline.limits {
            let paused = limit.pausedUntil.map { " paused until \(Int($0))" } ?? ""
            print("    \(limit.name.padding(12)) \(limit.inUse)/\(limit.concurrency) in use\(paused)")
        }
    }
}

extension String {
    fileprivate func padding(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
