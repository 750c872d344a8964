/// A periodic task: when (a cron expression or a fixed interval, in UTC), what and where.
public struct Schedule: Sendable {
    public enum Timing: Sendable, Equatable {
        /// Every `seconds`, on multiples of it since the epoch (so every beat agrees on tick times).
        case interval(seconds: Int)
        case cron(CronExpression)
    }

    public var name: String
    public var timing: Timing
    public var task: String
    public var arguments: String
    public var queue: String?

    public init(name: String, timing: Timing, task: String, arguments: String = "{}", queue: String? = nil) {
        self.name = name
        self.timing = timing
        self.task = task
        self.arguments = arguments
        self.queue = queue
    }

    /// The first tick strictly after `time`.
    public func nextTick(after time: Int64) -> Int64? {
        switch timing {
        case .interval(let seconds):
            let step = Int64(max(1, seconds))
            return (time / step + 1) * step
        case .cron(let expression):
            return expression.next(after: time)
        }
    }

    /// Ticks in `(after, through]`, oldest first, at most `limit` of them (the newest kept).
    public func ticks(after: Int64, through: Int64, limit: Int = 10_000) -> [Int64] {
        var result: [Int64] = []
        var cursor = after
        if case .interval(let seconds) = timing, through - after > Int64(limit) * Int64(max(1, seconds)) {
            cursor = through - Int64(limit) * Int64(max(1, seconds))
        }
        while let tick = nextTick(after: cursor), tick <= through {
            result.append(tick)
            cursor = tick
            if result.count > limit { result.removeFirst() }
        }
        return result
    }

    /// The de-duplication key of one tick: `beat:<schedule>:<tick unix seconds>`.
    public func dedupKey(tick: Int64) -> String { "beat:\(name):\(tick)" }
}
