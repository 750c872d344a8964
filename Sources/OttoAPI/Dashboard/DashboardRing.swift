/// The dashboard's last hour per queue, kept in otto-api: one bucket per minute, at most
/// ``minutes`` buckets of at most ``maxQueues`` queues, each with the minute's succeeded and
/// failed attempts and at most ``waitSamplesPerMinute`` head-of-line wait samples. Its memory is
/// therefore bounded whatever the traffic: 60 × 16 × (2 counts + 12 samples) values, under
/// 200 KB with the dictionaries' overhead.
struct DashboardRing: Sendable {
    static let minutes = 60
    static let maxQueues = 16
    static let waitSamplesPerMinute = 12

    /// One queue's minute.
    struct QueueMinute: Sendable, Equatable {
        var succeeded = 0
        var failed = 0
        var waits: [Double] = []
    }

    /// One minute: its start (Unix minute) and its queues.
    struct Minute: Sendable {
        var minute: Int64
        var queues: [String: QueueMinute] = [:]
    }

    /// The buckets, oldest first; never more than ``minutes``.
    private(set) var buckets: [Minute] = []

    /// Adds one sample of `queue` taken at `time` (Unix seconds): attempts that ended since the
    /// previous sample and the head-of-line wait now. A queue beyond ``maxQueues`` in a minute
    /// is dropped; a minute's wait samples beyond the bound replace the oldest.
    mutating func record(time: Double, queue: String, succeeded: Int, failed: Int, wait: Double?) {
        let minute = Int64((time / 60).rounded(.down))
        if buckets.last?.minute != minute {
            buckets.append(Minute(minute: minute))
            // Buckets older than the hour go, whatever gap the sampler left.
            buckets.removeAll { $0.minute <= minute - Int64(Self.minutes) }
            if buckets.count > Self.minutes { buckets.removeFirst(buckets.count - Self.minutes) }
        }
        let last = buckets.count - 1
        guard buckets[last].queues[queue] != nil || buckets[last].queues.count < Self.maxQueues else { return }
        var entry = buckets[last].queues[queue] ?? QueueMinute()
        entry.succeeded += max(0, succeeded)
        entry.failed += max(0, failed)
        if let wait {
            if entry.waits.count >= Self.waitSamplesPerMinute { entry.waits.removeFirst() }
            entry.waits.append(max(0, wait))
        }
        buckets[last].queues[queue] = entry
    }

    /// One queue's hour: per-minute counts (oldest first, a zero for every minute without a
    /// sample), the last complete minute's rates and the wait percentiles over every sample.
    struct QueueSummary: Encodable, Sendable, Equatable {
        var succeededPerMinute: [Int]
        var failedPerMinute: [Int]
        var succeededLastMinute: Int
        var failedLastMinute: Int
        var succeededHour: Int
        var failedHour: Int
        var waitP50: Double?
        var waitP95: Double?
        var waitP99: Double?
        var samples: Int

        enum CodingKeys: String, CodingKey {
            case succeededPerMinute = "succeeded_per_minute"
            case failedPerMinute = "failed_per_minute"
            case succeededLastMinute = "succeeded_last_minute"
            case failedLastMinute = "failed_last_minute"
            case succeededHour = "succeeded_hour"
            case failedHour = "failed_hour"
            case waitP50 = "wait_p50_s"
            case waitP95 = "wait_p95_s"
            case waitP99 = "wait_p99_s"
            case samples
        }
    }

    /// The summary of every queue seen within the hour before `time`.
    func summaries(time: Double) -> [String: QueueSummary] {
        let now = Int64((time / 60).rounded(.down))
        let first = now - Int64(Self.minutes) + 1
        var names = Set<String>()
        for bucket in buckets where bucket.minute >= first { names.formUnion(bucket.queues.keys) }
        var result: [String: QueueSummary] = [:]
        for name in names {
            var succeeded = [Int](repeating: 0, count: Self.minutes)
            var failed = [Int](repeating: 0, count: Self.minutes)
            var waits: [Double] = []
            for bucket in buckets where bucket.minute >= first {
                guard let entry = bucket.queues[name] else { continue }
                let slot = Int(bucket.minute - first)
                succeeded[slot] = entry.succeeded
                failed[slot] = entry.failed
                waits += entry.waits
            }
            waits.sort()
            // The last complete minute is the one before the current, still filling, minute.
            result[name] = QueueSummary(
                succeededPerMinute: succeeded, failedPerMinute: failed,
                succeededLastMinute: succeeded[Self.minutes - 2], failedLastMinute: failed[Self.minutes - 2],
                succeededHour: succeeded.reduce(0, +), failedHour: failed.reduce(0, +),
                waitP50: Self.percentile(waits, 0.50), waitP95: Self.percentile(waits, 0.95),
                waitP99: Self.percentile(waits, 0.99), samples: waits.count)
        }
        return result
    }

    /// The nearest-rank percentile of sorted `values`, nil when there are none.
    static func percentile(_ sorted: [Double], _ fraction: Double) -> Double? {
        guard !sorted.isEmpty else { return nil }
        let rank = Int((fraction * Double(sorted.count)).rounded(.up))
        return sorted[min(sorted.count - 1, max(0, rank - 1))]
    }
}
