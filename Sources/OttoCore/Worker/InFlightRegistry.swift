import NIOConcurrencyHelpers

/// The entries this worker owns (fetched, claimed, buffered or running), with the time it took
/// them, so their leases are renewed and a reclaim never hands this worker an entry it already has.
final class InFlightRegistry: Sendable {
    private let entries = NIOLockedValueBox<[String: (queue: String, started: Double)]>([:])

    /// Adds the entries not owned yet and returns them (the rest are already here).
    func adopt(_ deliveries: [Delivery]) -> [Delivery] {
        let now = UnixTime.now()
        return entries.withLockedValue { entries in
            deliveries.filter { delivery in
                guard entries[delivery.entryID] == nil else { return false }
                entries[delivery.entryID] = (delivery.queue, now)
                return true
            }
        }
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
