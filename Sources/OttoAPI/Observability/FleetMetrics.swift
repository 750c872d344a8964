import OttoCalls
import OttoCore
import OttoTasks

/// The task system's metrics for the whole fleet, computed at scrape time from the workers'
/// heartbeats and the queues (the worker has no HTTP server of its own).
///
/// Rendered as Prometheus text directly: the values are fleet-wide totals read from Redis, not
/// events this process observed, so they do not belong in the process's own registry.
enum FleetMetrics {
    /// `otto_queue_depth`, `otto_tasks_total` and `otto_task_duration_seconds` (a summary: count
    /// and sum), or an empty string when the fleet cannot be read.
    static func render(fleet: WorkerFleet, registry: TaskRegistry) async -> String {
        guard let workers = try? await fleet.liveWorkers() else { return "" }
        var queueNames = FleetSnapshot.defaultQueues
        for name in workers.flatMap(\.queues) where !queueNames.contains(name) { queueNames.append(name) }
        guard let depths = try? await fleet.queueDepths(queueNames) else { return "" }

        var text = "# HELP otto_queue_depth Tasks per queue and state.\n# TYPE otto_queue_depth gauge\n"
        for queue in queueNames.sorted() {
            let depth = depths[queue] ?? QueueDepth()
            for (state, value) in [
                ("waiting", depth.waiting), ("pending", depth.pending), ("delayed", depth.delayed),
                ("dead", depth.dead),
            ] {
                text += "otto_queue_depth{queue=\"\(escape(queue))\",state=\"\(state)\"} \(value)\n"
            }
        }

        var outcomes: [String: [String: Int]] = [:]
        var durations: [String: WorkerHeartbeat.DurationSummary] = [:]
        for worker in workers {
            for (task, counts) in worker.taskCounts {
                for (outcome, count) in counts { outcomes[task, default: [:]][outcome, default: 0] += count }
            }
            for (task, summary) in worker.taskDurations {
                durations[task, default: .init()].count += summary.count
                durations[task, default: .init()].sumSeconds += summary.sumSeconds
            }
        }
        text += "# HELP otto_tasks_total Tasks ended, by task, queue and outcome, over the live workers.\n"
        text += "# TYPE otto_tasks_total counter\n"
        for task in outcomes.keys.sorted() {
            let queue = escape(registry.entry(named: task)?.defaultQueue ?? "unknown")
            for outcome in outcomes[task]!.keys.sorted() {
                text +=
                    "otto_tasks_total{task=\"\(escape(task))\",queue=\"\(queue)\",outcome=\"\(escape(outcome))\"} "
                    + "\(outcomes[task]![outcome]!)\n"
            }
        }
        text += "# HELP otto_task_duration_seconds Task run time over the live workers.\n"
        text += "# TYPE otto_task_duration_seconds summary\n"
        for task in durations.keys.sorted() {
            let summary = durations[task]!
            text += "otto_task_duration_seconds_sum{task=\"\(escape(task))\"} \(summary.sumSeconds)\n"
            text += "otto_task_duration_seconds_count{task=\"\(escape(task))\"} \(summary.count)\n"
        }
        return text
    }

    private static func escape(_ value: String) -> String {
        var out = ""
        for character in value {
            switch character {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(character)
            }
        }
        return out
    }
}
