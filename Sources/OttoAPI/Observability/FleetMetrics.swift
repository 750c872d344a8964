import OttoCalls
import OttoCore
import OttoProcessKit
import OttoTasks
import Prometheus

/// The task system's metrics for the whole fleet, computed at scrape time from the workers'
/// heartbeats and the queues (the worker has no HTTP server of its own).
///
/// Each scrape fills a registry of its own: the values are fleet-wide totals read from Redis,
/// not events this process observed, so they do not belong in the process's registry, and a
/// queue or task that the live workers no longer report (its last worker died) disappears from
/// the next scrape instead of keeping its last value.
enum FleetMetrics {
    /// `otto_queue_depth`, `otto_tasks_total` and `otto_task_duration_seconds` (a summary: count
    /// and sum), or an empty string when the fleet cannot be read.
    static func render(fleet: WorkerFleet, registry: TaskRegistry) async -> String {
        guard let workers = try? await fleet.liveWorkers() else { return "" }
        var queueNames = FleetSnapshot.defaultQueues
        for name in workers.flatMap(\.queues) where !queueNames.contains(name) { queueNames.append(name) }
        guard let depths = try? await fleet.queueDepths(queueNames) else { return "" }
        return render(workers: workers, queues: queueNames, depths: depths, tasks: registry)
    }

    /// The metrics of `workers` (their task totals) and of `queues` (their depths).
    static func render(
        workers: [WorkerHeartbeat], queues: [String], depths: [String: QueueDepth], tasks: TaskRegistry
    ) -> String {
        let prometheus = PrometheusCollectorRegistry()
        let depth = MetricNameDescriptor(
            metricName: "otto_queue_depth", unitName: "", helpText: "Tasks per queue and state.")
        for queue in queues {
            let counts = depths[queue] ?? QueueDepth()
            for (state, value) in [
                ("waiting", counts.waiting), ("pending", counts.pending), ("delayed", counts.delayed),
                ("dead", counts.dead),
            ] {
                prometheus.makeGauge(descriptor: depth, labels: [("queue", queue), ("state", state)])
                    .set(to: Double(value))
            }
        }

        var outcomes: [String: [String: Int]] = [:]
        var durations: [String: WorkerHeartbeat.DurationSummary] = [:]
        for worker in workers {
            for (task, counts) in worker.taskCounts {
                for (outcome, count) in counts { outcomes[task, default: [:]][outcome, default: 0] += max(0, count) }
            }
            for (task, summary) in worker.taskDurations {
                durations[task, default: .init()].count += summary.count
                durations[task, default: .init()].sumSeconds += summary.sumSeconds
            }
        }
        let ended = MetricNameDescriptor(
            metricName: "otto_tasks_total", unitName: "",
            helpText: "Tasks ended, by task, queue and outcome, over the live workers.")
        for (task, counts) in outcomes {
            let queue = tasks.entry(named: task)?.defaultQueue ?? "unknown"
            for (outcome, count) in counts {
                prometheus.makeCounter(
                    descriptor: ended, labels: [("task", task), ("queue", queue), ("outcome", outcome)]
                ).increment(by: Int64(count))
            }
        }
        return prometheus.emitToString() + summaries(durations)
    }

    /// `otto_task_duration_seconds` as a summary of count and sum (no quantiles), which the
    /// Prometheus registry cannot hold (it has counters, gauges and histograms): written here,
    /// with label values escaped as the text format requires.
    private static func summaries(_ durations: [String: WorkerHeartbeat.DurationSummary]) -> String {
        var text = "# HELP otto_task_duration_seconds Task run time over the live workers.\n"
        text += "# TYPE otto_task_duration_seconds summary\n"
        for task in durations.keys.sorted() {
            let summary = durations[task]!
            text += "otto_task_duration_seconds_sum{task=\"\(escape(task))\"} \(summary.sumSeconds)\n"
            text += "otto_task_duration_seconds_count{task=\"\(escape(task))\"} \(summary.count)\n"
        }
        return text
    }

    /// Backslash, double quote and line feed escaped, scalar by scalar (a `\r\n` is one
    /// `Character` but two scalars, and its line feed must be escaped too).
    private static func escape(_ value: String) -> String {
        var out = String.UnicodeScalarView()
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\\": out.append(contentsOf: #"\\"#.unicodeScalars)
            case "\"": out.append(contentsOf: #"\""#.unicodeScalars)
            case "\n": out.append(contentsOf: #"\n"#.unicodeScalars)
            default: out.append(scalar)
            }
        }
        return String(out)
    }
}
