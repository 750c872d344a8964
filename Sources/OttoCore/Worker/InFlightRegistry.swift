import NIOConcurrencyHelpers

/// The entries this worker is running, with their start times, for lease renewal.
final class InFlightRegistry: Sendable {
    private let entries = NIOLockedValueBox<[String: (queue: String, started: Double)]>([:])

    func add(_ delivery: Delivery) {
        entries.withLockedValue { $0[delivery.entryID] = (delivery.queue, UnixTime.now()) }
    }

    func remove(_ entryID: String) {
        _ = entries.withLockedValue { $0.removeValue(forKey: entryID) }
    }

    /// Entries running longer than `age` seconds, grouped by queue.
    func olderThan(_ age: Double) -> [String: [String]] {
        let cutoff = UnixTime.now() - age
        return entries.withLockedValue { entries in
            var result: [String: [String]] = [:]
            for (id, entry) in entries where entry.started < cutoff { result[entry.queue, default: []].append(id) }
            return result
        }
    }
}
