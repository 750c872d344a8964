import OttoCalls
import OttoCore
import OttoProcessKit
import OttoTasks
import Testing

@testable import OttoAPI

/// The fleet's metrics as `/metrics` writes them, from heartbeats and queue depths (no Redis).
@Suite("Fleet metrics")
struct FleetMetricsTests {
    static func worker(
        _ id: String, counts: [String: [String: Int]], durations: [String: WorkerHeartbeat.DurationSummary] = [:]
    ) -> WorkerHeartbeat {
        WorkerHeartbeat(
            id: id, host: "test", pid: 1, queues: ["default"], concurrency: 1, startedAt: 0, beatAt: 0,
            taskCounts: counts, taskDurations: durations)
    }

    static func render(_ workers: [WorkerHeartbeat], queues: [String] = ["default"], depths: [String: QueueDepth] = [:])
        -> String
    {
        FleetMetrics.render(workers: workers, queues: queues, depths: depths, tasks: TaskRegistry.catalog)
    }

    static func lines(_ text: String) -> Set<Substring> { Set(text.split(separator: "\n")) }

    @Test("names, types, help and labels: a gauge per queue and state, a counter and a summary per task")
    func shape() {
        let text = Self.render(
            [
                Self.worker(
                    "a", counts: ["otto.ping": ["succeeded": 3, "failed": 1]],
                    durations: ["otto.ping": .init(count: 4, sumSeconds: 0.5)]),
                Self.worker("b", counts: ["otto.ping": ["succeeded": 2], "no.such.task": ["dead": 1]]),
            ], depths: ["default": QueueDepth(waiting: 5, pending: 1, delayed: 2, dead: 7)])
        let lines = Self.lines(text)
        for expected in [
            "# HELP otto_queue_depth Tasks per queue and state.", "# TYPE otto_queue_depth gauge",
            "# HELP otto_tasks_total Tasks ended, by task, queue and outcome, over the live workers.",
            "# TYPE otto_tasks_total counter", "# HELP otto_task_duration_seconds Task run time over the live workers.",
            "# TYPE otto_task_duration_seconds summary",
            #"otto_tasks_total{task="otto.ping",queue="default",outcome="succeeded"} 5"#,
            #"otto_tasks_total{task="otto.ping",queue="default",outcome="failed"} 1"#,
            #"otto_tasks_total{task="no.such.task",queue="unknown",outcome="dead"} 1"#,
            #"otto_task_duration_seconds_sum{task="otto.ping"} 0.5"#,
            #"otto_task_duration_seconds_count{task="otto.ping"} 4"#,
        ] {
            #expect(lines.contains(Substring(expected)), "\(expected)\n\(text)")
        }
        for (state, value) in [("waiting", 5), ("pending", 1), ("delayed", 2), ("dead", 7)] {
            let line = lines.first { $0.hasPrefix(#"otto_queue_depth{queue="default",state="\#(state)"} "#) }
            #expect(line.flatMap { Double($0.split(separator: " ").last!) } == Double(value), "\(state)\n\(text)")
        }
        #expect(lines.filter { $0.hasPrefix("# TYPE ") }.count == 3, "one TYPE line per family\n\(text)")
    }

    @Test("label values escape backslash, double quote and line feed")
    func escaping() {
        let name = "we\"ird\\task\nname\r\n"
        let escaped = #"we\"ird\\task\nname"# + "\r" + #"\n"#
        let text = Self.render(
            [Self.worker("a", counts: [name: ["succeeded": 1]], durations: [name: .init(count: 1, sumSeconds: 2)])],
            queues: ["default", "q\"\\\n"])
        let lines = Self.lines(text)
        #expect(
            lines.contains(
                Substring(#"otto_tasks_total{task=""# + escaped + #"",queue="unknown",outcome="succeeded"} 1"#)),
            "\(text)")
        #expect(lines.contains(Substring(#"otto_task_duration_seconds_count{task=""# + escaped + #""} 1"#)), "\(text)")
        #expect(lines.contains { $0.hasPrefix(#"otto_queue_depth{queue="q\"\\\n",state="waiting"} "#) }, "\(text)")
        #expect(!text.contains("name\n") && !text.contains("name\r\n"), "no raw line feed inside a sample")
    }

    @Test("a task or queue that the live workers no longer report disappears from the next scrape")
    func disappearing() {
        let both = Self.render(
            [
                Self.worker("a", counts: ["otto.ping": ["succeeded": 1]]),
                Self.worker("b", counts: ["otto.cleanup": ["failed": 2]]),
            ],
            queues: ["default", "extra"])
        #expect(both.contains(#"task="otto.cleanup""#) && both.contains(#"queue="extra""#))
        let after = Self.render([Self.worker("a", counts: ["otto.ping": ["succeeded": 1]])])
        #expect(!after.contains("otto.cleanup") && !after.contains(#"queue="extra""#), "\(after)")
        #expect(after.contains(#"otto_tasks_total{task="otto.ping",queue="default",outcome="succeeded"} 1"#))
    }

    @Test("a heartbeat with a negative count does not stop the scrape")
    func negativeCount() {
        let text = Self.render([Self.worker("a", counts: ["otto.ping": ["succeeded": -4]])])
        #expect(text.contains(#"otto_tasks_total{task="otto.ping",queue="default",outcome="succeeded"} 0"#), "\(text)")
    }
}
