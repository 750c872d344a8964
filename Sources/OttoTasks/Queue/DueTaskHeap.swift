/// Waiting tasks as a binary min-heap on due time, first come first served among equal due
/// times (a sequence number breaks ties). Push and pop are O(log n), so a backlog of thousands
/// costs no more per task than an empty queue (a sorted array moved every element behind the
/// insertion point and the whole array on each start).
struct DueTaskHeap {
    private struct Item {
        var envelope: TaskEnvelope
        var sequence: UInt64

        func precedes(_ other: Item) -> Bool {
            envelope.dueAt != other.envelope.dueAt
                ? envelope.dueAt < other.envelope.dueAt : sequence < other.sequence
        }
    }

    private var items: [Item] = []
    private var nextSequence: UInt64 = 0

    var count: Int { items.count }
    var isEmpty: Bool { items.isEmpty }
    /// The task due first.
    var first: TaskEnvelope? { items.first?.envelope }

    mutating func push(_ envelope: TaskEnvelope) {
        items.append(Item(envelope: envelope, sequence: nextSequence))
        nextSequence &+= 1
        var child = items.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard items[child].precedes(items[parent]) else { break }
            items.swapAt(child, parent)
            child = parent
        }
    }

    /// Removes and returns the task due first.
    mutating func popFirst() -> TaskEnvelope? {
        guard !items.isEmpty else { return nil }
        items.swapAt(0, items.count - 1)
        let first = items.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1
            guard left < items.count else { break }
            let right = left + 1
            let child = right < items.count && items[right].precedes(items[left]) ? right : left
            guard items[child].precedes(items[parent]) else { break }
            items.swapAt(child, parent)
            parent = child
        }
        return first.envelope
    }

    /// Empties the heap; the tasks in due order.
    mutating func removeAll() -> [TaskEnvelope] {
        var ordered: [TaskEnvelope] = []
        ordered.reserveCapacity(items.count)
        while let envelope = popFirst() { ordered.append(envelope) }
        items = []
        return ordered
    }
}
