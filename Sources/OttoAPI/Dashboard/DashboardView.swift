import OttoCalls
import OttoTasks

/// The page's first render: ``DashboardState`` as the text the template shows (the script
/// formats the polled state the same way, `dashboard.js`'s `ago` and `seconds`).
struct DashboardView {
    struct Queue {
        var name, waiting, pending, delayed, dead, succeededPerMinute, failedPerMinute: String
        var succeededHour, failedHour, waitP50, waitP95, waitP99: String
    }
    struct Worker { var host, pid, queues, concurrency, inFlight, processed, failed, age: String }
    struct ScheduleRow { var name, task, queue, timing, lastRun, nextRun: String }
    struct Letter { var task, taskID, queue, error, attempts, arguments, deadAt, entryID: String }
    struct DeadQueue { var name, dead: String }
    struct Tenant { var tenant, active, waiting, oldest: String }
    struct Workflows { var queued, running, oldest, failed: String }
    struct WorkflowFailure { var age, call, tenant, step, error: String }
    struct UsageRow { var name, tenant, audio, transcriptions, analyses, promptTokens, completionTokens: String }

    var csrf: String
    var version: String
    var generatedAt: String
    var unavailable: [String]
    var queues: [Queue]
    var workers: [Worker]
    var canaryClass: String
    var canaryText: String
    var beatLeader: String
    var schedules: [ScheduleRow]
    var deadQueues: [DeadQueue]
    var deadLetters: [Letter]
    var recentFailures: [Letter]
    var tenants: [Tenant]
    var workflows: Workflows
    var workflowFailures: [WorkflowFailure]
    var usageSummary: String
    var usage: [UsageRow]
    var taskQuery: String
    var taskResult: String

    init(state: DashboardState, csrf: String, version: String, taskQuery: String, taskResult: String) {
        let now = state.generatedAt
        self.csrf = csrf
        self.version = version
        generatedAt = Self.clock(now)
        unavailable = state.unavailable
        queues = state.queues.map {
            Queue(
                name: $0.name, waiting: "\($0.waiting)", pending: "\($0.pending)", delayed: "\($0.delayed)",
                dead: "\($0.dead)", succeededPerMinute: "\($0.hour?.succeededLastMinute ?? 0)",
                failedPerMinute: "\($0.hour?.failedLastMinute ?? 0)", succeededHour: "\($0.hour?.succeededHour ?? 0)",
                failedHour: "\($0.hour?.failedHour ?? 0)", waitP50: Self.seconds($0.hour?.waitP50),
                waitP95: Self.seconds($0.hour?.waitP95), waitP99: Self.seconds($0.hour?.waitP99))
        }
        workers = state.workers.map {
            Worker(
                host: $0.host, pid: "\($0.pid)", queues: $0.queues.joined(separator: ", "),
                concurrency: "\($0.concurrency)", inFlight: "\($0.inFlight)", processed: "\($0.processed)",
                failed: "\($0.failed)", age: Self.ago($0.ageSeconds))
        }
        let canary = state.canary
        canaryClass = canary.stuck ? "bad" : "good"
        canaryText =
            (canary.lastCompletedAgeSeconds.map { "last completed " + Self.ago($0) } ?? "never completed")
            + (canary.stuck ? " (stuck: over \(Int(canary.stuckAfterSeconds)) s)" : "")
        beatLeader =
            state.beat.leader.map {
                $0 + (state.beat.leaseRemainingSeconds.map { ", lease " + Self.seconds($0) } ?? "")
            }
            ?? "none (no beat holds the lease)"
        schedules = state.beat.schedules.map {
            ScheduleRow(
                name: $0.name, task: $0.task, queue: $0.queue, timing: $0.timing,
                lastRun: $0.lastRun.map { Self.ago(now - $0) } ?? "never",
                nextRun: $0.nextRun.map { "in " + Self.seconds(max(0, $0 - now)) } ?? "–")
        }
        deadQueues = state.queues.filter { $0.dead > 0 }.map { DeadQueue(name: $0.name, dead: "\($0.dead)") }
        func letter(_ item: DashboardState.Letter) -> Letter {
            Letter(
                task: item.task ?? "?", taskID: item.taskID ?? "", queue: item.queue, error: item.error,
                attempts: item.attempts.map { "\($0)" + (item.maxAttempts.map { " of \($0)" } ?? "") } ?? "?",
                arguments: item.arguments ?? "", deadAt: item.deadAt.map { Self.ago(now - $0) } ?? "?",
                entryID: item.entryID)
        }
        deadLetters = state.deadLetters.map(letter)
        recentFailures = state.recentFailures.map(letter)
        tenants = state.tenants.map {
            Tenant(
                tenant: $0.tenant, active: "\($0.active)", waiting: "\($0.waiting)",
                oldest: $0.oldestWaitingAt.map { Self.ago(now - $0) } ?? "–")
        }
        let overview = state.workflows
        workflows = Workflows(
            queued: overview.map { "\($0.queued)" } ?? "–", running: overview.map { "\($0.running)" } ?? "–",
            oldest: Self.seconds(overview?.oldestUnfinishedAgeSeconds),
            failed: overview.map { "\($0.failedLastDay)" } ?? "–")
        workflowFailures = (overview?.recentFailures ?? []).map {
            WorkflowFailure(
                age: Self.ago($0.ageSeconds), call: $0.subjectID, tenant: $0.tenantID, step: $0.step ?? "–",
                error: $0.error ?? "no reason recorded")
        }
        (usageSummary, usage) = Self.usage(state.usage)
        self.taskQuery = taskQuery
        self.taskResult = taskResult
    }

    /// The usage panel's line and rows: every tenant's sum first, then the listed tenants (the
    /// script's `usageRows` and `usageSummary` write the same).
    static func usage(_ day: DayUsage?) -> (String, [UsageRow]) {
        guard let day else { return ("Usage unavailable (no database, or it did not answer).", []) }
        func row(_ name: String, _ tenant: String, _ usage: UsageTotals) -> UsageRow {
            UsageRow(
                name: name, tenant: tenant, audio: seconds(usage.audioSeconds),
                transcriptions: "\(usage.transcriptions)",
                analyses: "\(usage.analyses)", promptTokens: "\(usage.promptTokens)",
                completionTokens: "\(usage.completionTokens)")
        }
        guard day.tenantsWithUsage > 0 else { return ("UTC day \(day.day): no usage yet.", []) }
        let listed =
            day.tenants.count < day.tenantsWithUsage ? ", the \(day.tenants.count) with the most audio listed" : ""
        return (
            "UTC day \(day.day): \(day.tenantsWithUsage) tenants with usage\(listed).",
            [row("All tenants", "\(day.tenantsWithUsage) with usage", day.totals)]
                + day.tenants.map { row($0.name, $0.tenantID, UsageTotals([$0.usage])) }
        )
    }

    /// `12.3 s`, `4.5 min` or `2.0 h`; a dash for nil.
    static func seconds(_ value: Double?) -> String {
        guard let value else { return "–" }
        if value < 60 { return "\(tenths(value)) s" }
        if value < 3600 { return "\(tenths(value / 60)) min" }
        return "\(tenths(value / 3600)) h"
    }

    static func ago(_ value: Double) -> String { seconds(max(0, value)) + " ago" }

    /// `hh:mm:ss UTC` of a Unix time.
    static func clock(_ unix: Double) -> String {
        let day = Int(unix) % 86_400
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(two(day / 3600)):\(two(day / 60 % 60)):\(two(day % 60)) UTC"
    }

    private static func tenths(_ value: Double) -> String {
        let scaled = (value * 10).rounded()
        return "\(Int(scaled) / 10).\(Int(scaled) % 10)"
    }

    /// One line about a tracked task for the lookup panel.
    static func describe(_ record: TaskStateStore.Record?, id: String) -> String {
        guard let record else { return "No tracked task \(id) (unknown, expired, or enqueued without a result TTL)." }
        var text = "\(record.name) on \(record.queue): \(record.state.rawValue), attempt \(record.attempt)"
        if let result = record.result { text += "; result \(result)" }
        if let error = record.error { text += "; error \(error)" }
        return text
    }
}
