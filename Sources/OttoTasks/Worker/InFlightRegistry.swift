import NIOConcurrencyHelpers
import OttoSupport

/// The entries this worker owns (fetched, claimed, buffered or running), with the time it took
/// them, so their leases are renewed and a reclaim never hands this worker an entry it already has.
final class InFlightRegistry: Sendable {
    private let entries = NIOLockedValueBox<[String: (queue: String, started: Double, lost: Bool)]>([:])

    /// Adds the entries not owned yet and returns them (the rest are already here).
    func adopt(_ deliveries: [Delivery]) -> [Delivery] {
        let now = UnixTime.now()
        return entries.withLockedValue { entries in
            deliveries.filter { delivery in
                guard entries[delivery.entryID] == nil else { return false }
                entries[delivery.entryID] = (delivery.queue, now, false)
                return true
            }
        }
    }

    func remove(_ entryID: String) {
        _ = entries.withLockedValue { $0.removeValue(forKey: entryID) }
    }

    /// Marks entries another worker owns now: still held here (a reclaim never hands them back
    /// while they run), but no longer renewed.
    func markLost(_ ids: some Sequence<String>) {
        entries.withLockedValue { entries in
            for id in ids { entries[id]?.lost = true }
        }
    }

    /// Entries held longer than `age` seconds and still owned, grouped by queue.
    func olderThan(_ age: Double) -> [String: [String]] {
        let cutoff = UnixTime.now() - age
        return entries.withLockedValue { entries in
            var result: [String: [String]] = [:]
            for (id, entry) in entries where entry.started < cutoff && !entry.lost {
                result[entry.queue, default: []].append(id)
            }
            return result
        }
    }
}
