import Synchronization
import Testing

@testable import OttoCalls
@testable import OttoCore
@testable import OttoProcessKit
@testable import OttoTasks

/// The worker's slot count: the fetch loop waits on it for a free slot, and the drain for all of
/// them, with no polling.
@Suite("Slot gate")
struct SlotGateTests {
    @Test("waitUntilIdle returns only after the last busy slot is released")
    func idleAfterLastRelease() async {
        let gate = SlotGate(capacity: 3)
        gate.take()
        gate.take()
        let released = Counter()
        let waiter = Task {
            await gate.waitUntilIdle()
            return released.value
        }
        // Let the waiter suspend first, so the releases below are the ones that wake it.
        while !gate.hasIdleWaiter { await Task.yield() }
        released.increment()
        gate.release()
        #expect(gate.hasIdleWaiter, "one slot is still busy: the waiter must still wait")
        released.increment()
        gate.release()
        #expect(await waiter.value == 2)
        #expect(gate.busy == 0)
    }

    @Test("waitUntilIdle returns at once when nothing is busy, and when its task is cancelled")
    func idleAtOnceAndOnCancel() async {
        let gate = SlotGate(capacity: 2)
        await gate.waitUntilIdle()
        gate.take()
        let waiter = Task { await gate.waitUntilIdle() }
        while !gate.hasIdleWaiter { await Task.yield() }
        waiter.cancel()
        await waiter.value
        #expect(!gate.hasIdleWaiter)
        #expect(gate.busy == 1)
    }

    @Test("stopWaiting wakes a fetch loop that waits while every slot is busy, and every later wait")
    func stopWaitingWakesTheFetchLoop() async {
        let gate = SlotGate(capacity: 1)
        gate.take()
        let waiter = Task { await gate.waitForFree() }
        while !gate.hasFreeWaiter { await Task.yield() }
        gate.stopWaiting()
        #expect(await waiter.value == 0)
        #expect(await gate.waitForFree() == 0)
        gate.release()
        #expect(await gate.waitForFree() == 1, "a free slot is still reported after stopWaiting")
    }
}

/// A counter shared with a child task.
private final class Counter: Sendable {
    private let count = Atomic<Int>(0)
    var value: Int { count.load(ordering: .acquiring) }
    func increment() { count.add(1, ordering: .releasing) }
}
