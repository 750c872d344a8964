import OttoCalls
import OttoCore
import OttoProcessKit
import OttoSupport
import OttoTasks

/// Reads the dashboard's state from what the fleet, the beat and the pipeline already keep in
/// Redis, through the readers `otto-worker inspect` and `dead` use (``FleetSnapshot``,
/// ``RedisTaskQueue``, ``TaskStateStore``, ``FairAdmission``), plus the sampler's hour and the
/// pipeline's workflows as `inspect` reads them (three PostgreSQL queries on partial indexes of
/// unfinished and failed workflows: nothing here scans a table) and today's usage per tenant
/// (the ledger's index by day). Each panel is read on its own, so one failing read leaves the
/// others.
struct DashboardReader: Sendable {
    let fleet: WorkerFleet
    let queue: RedisTaskQueue
    let taskStates: TaskStateStore
    let admission: FairAdmission
    let schedules: [Schedule]
    let canaryInterval: Int
    let sampler: DashboardSampler?
    /// The call pipeline's workflows (``WorkflowMaintenance/overview(_:workflow:failures:)``);
    /// nil without PostgreSQL.
    let workflows: (@Sendable () async throws -> WorkflowOverview)?
    /// The usage ledger's UTC day that contains the given Unix time, across tenants
    /// (``UsageLedger/day(_:day:limit:)``); nil without PostgreSQL.
    let usage: (@Sendable (_ now: Double) async throws -> DayUsage)?

    /// Dead letters listed per queue (the oldest first, as `otto-worker dead list`).
    static let deadLetterLimit = 50
    static let recentFailureLimit = 10
    /// Tenants listed in the usage panel (the ones with the most audio of the day).
    static let usageTenantLimit = 20

    init(
        fleet: WorkerFleet, queue: RedisTaskQueue, taskStates: TaskStateStore, admission: FairAdmission,
        beat: BeatConfiguration, sampler: DashboardSampler?,
        workflows: (@Sendable () async throws -> WorkflowOverview)? = nil,
        usage: (@Sendable (_ now: Double) async throws -> DayUsage)? = nil
    ) {
        self.workflows = workflows
        self.usage = usage
        self.fleet = fleet
        self.queue = queue
        self.taskStates = taskStates
        self.admission = admission
        self.schedules = ScheduleCatalog.standard(configuration: beat)
        self.canaryInterval = beat.canaryInterval
        self.sampler = sampler
    }

    func state(now: Double = UnixTime.now()) async -> DashboardState {
        var unavailable: [String] = []
        let snapshot: FleetSnapshot?
        do {
            snapshot = try await fleet.snapshot(now: now)
        } catch {
            snapshot = nil
            unavailable.append("fleet")
        }
        let depths = snapshot?.queues ?? [:]
        let hours = sampler?.summaries(now: now) ?? [:]
        var names = Set(depths.keys)
        names.formUnion(hours.keys)
        let queues = names.sorted().map { name in
            let depth = depths[name] ?? QueueDepth()
            return DashboardState.Queue(
                name: name, waiting: depth.waiting, pending: depth.pending, delayed: depth.delayed, dead: depth.dead,
                hour: hours[name])
        }
        let stuckAfter = Double(max(1, canaryInterval) * 3)
        let age = snapshot?.canary.lastCompletedAgeSeconds
        let canary = DashboardState.Canary(
            lastCompletedAgeSeconds: age, stuckAfterSeconds: stuckAfter,
            stuck: canaryInterval > 0 && (age.map { $0 > stuckAfter } ?? true))

        var beat = DashboardState.Beat(leader: nil, leaseRemainingSeconds: nil, schedules: [])
        do {
            let state = try await fleet.beatState()
            beat.leader = state.leader
            beat.leaseRemainingSeconds = state.leaseRemainingSeconds
            beat.schedules = schedules.map { schedule in
                let last = state.lastRuns[schedule.name]
                let next = schedule.nextTick(after: max(Int64(now), last ?? Int64(now)))
                return DashboardState.ScheduleRun(
                    name: schedule.name, task: schedule.task, queue: schedule.queue ?? "default",
                    timing: Self.describe(schedule.timing), lastRun: last.map(Double.init),
                    nextRun: next.map(Double.init))
            }
        } catch {
            unavailable.append("beat")
        }

        var dead: [DashboardState.Letter] = []
        var recent: [DashboardState.Letter] = []
        let queueNames = queues.map(\.name)
        do {
            for name in queueNames where (depths[name]?.dead ?? 1) > 0 {
                dead += try await queue.deadLetters(queue: name, limit: Self.deadLetterLimit).map(
                    DashboardState.Letter.init)
            }
            recent = try await fleet.recentDeadLetters(queueNames, limit: Self.recentFailureLimit).map(
                DashboardState.Letter.init)
        } catch {
            unavailable.append("dead_letters")
        }

        var tenants: [TenantBacklog] = []
        do {
            tenants = try await admission.snapshot()
        } catch {
            unavailable.append("tenants")
        }
        var overview: WorkflowOverview?
        if let workflows {
            do {
                overview = try await workflows()
            } catch {
                unavailable.append("workflows")
            }
        }
        var today: DayUsage?
        if let usage {
            do {
                today = try await usage(now)
            } catch {
                unavailable.append("usage")
            }
        }
        return DashboardState(
            generatedAt: now, queues: queues, workers: snapshot?.workers ?? [], canary: canary, beat: beat,
            deadLetters: dead, recentFailures: recent, tenants: tenants, workflows: overview, usage: today,
            unavailable: unavailable)
    }

    /// A tracked task by id (nil when unknown or expired).
    func task(id: String) async throws -> TaskStateStore.Record? {
        try await taskStates.record(id: id)
    }

    /// Puts one dead letter (by entry or task id) or every one of `queueName` back on its queue.
    func replay(queue queueName: String, id: String?) async throws -> [String] {
        try await queue.replay(queue: queueName, entryIDs: id.map { [$0] })
    }

    /// Deletes `queueName`'s dead letters; returns how many there were.
    func purge(queue queueName: String) async throws -> Int {
        try await queue.purgeDead(queue: queueName)
    }

    static func describe(_ timing: Schedule.Timing) -> String {
        switch timing {
        case .interval(let seconds): "every \(seconds) s"
        case .cron(let expression): "cron \(expression.description)"
        }
    }
}
