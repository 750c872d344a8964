import Foundation
import OttoCore
import OttoProcessKit
import OttoTasks
import OttoTestSupport
import Testing

/// The worker's drain on SIGTERM when tasks outlast `WORKER_SHUTDOWN_GRACE`: it waits the grace
/// period (no longer, no shorter), then cancels what still runs and leaves it pending.
@Suite("Worker shutdown grace", .serialized)
struct WorkerGraceTests {
    @Test(
        "tasks longer than the grace period are cancelled when it ends and left pending for the next worker"
    )
    func graceEndsInCancellation() async throws {
        let harness = try QueueHarness(name: "grace")
        let worker = try await harness.startWorker(["WORKER_CONCURRENCY": "2", "WORKER_SHUTDOWN_GRACE": "2"])
        // Each task runs 60 s, far past the 2-second grace; the two a worker holds are in flight.
        let ids = try await harness.enqueue(
            "otto.ping", args: #"{"delay_ms": 60000, "tally": "tally"}"#, count: 2)
        #expect(await eventually(timeout: .seconds(20)) { ((try? await harness.tally("tally"))?.count ?? 0) == 2 })
        let signalled = ContinuousClock.now
        worker.signal(SIGTERM)
        let status = await worker.waitForExit(timeout: .seconds(30))
        let took = ContinuousClock.now - signalled
        #expect(status == 0)
        // The grace is the contract: not cut short (the tasks had 58 s left), and ended, not
        // awaited (measured here: 2.0-2.1 s).
        #expect(took >= .seconds(2), "exited after \(took), before the grace period ended")
        #expect(took < .seconds(15), "exited after \(took): the in-flight tasks were awaited, not cancelled")
        #expect(worker.output.contains("grace period over; cancelling in-flight tasks"))
        for id in ids {
            #expect(
                !LogLines.taskEnds(worker.output, taskID: id).contains { $0["outcome"] as? String == "succeeded" },
                "task \(id) cannot have succeeded within the grace period")
        }
        // Both are still pending in the stream for another worker.
        let depth = try await WorkerFleet(redis: harness.redis, keys: harness.keys).queueDepths(["default"])["default"]
        #expect((depth?.waiting ?? 0) + (depth?.pending ?? 0) == 2)
        await harness.cleanUp()
    }
}
