import Foundation
import OttoCalls
import OttoTasks

/// A redis-server of a test's own, with append-only persistence in a temporary folder, so a
/// test can stop and restart it on the same port without losing data.
public final class OwnRedisServer: @unchecked Sendable {
    public let port: Int
    public let directory: URL
    private var process: Process?

    public init() throws {
        port = FreePort.pick()
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("otto-redis-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    public var url: String { "redis://127.0.0.1:\(port)/0" }

    /// Starts the server and waits until it answers PING.
    public func start() async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/redis-server")
        process.arguments = [
            "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "yes", "--appendfsync",
            "always",
            "--dir", directory.path, "--daemonize", "no", "--loglevel", "warning",
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.process = process
        let answering = await eventually(timeout: .seconds(30), every: .milliseconds(50)) {
            await Self.ping(port: port)
        }
        if !answering { throw ServerDidNotStart() }
    }

    /// Stops it the way an operator's restart does (SHUTDOWN: Redis flushes and exits) and waits
    /// for its exit without blocking a thread. (A signal would not do: children spawned from the
    /// test's threads inherit a blocked SIGTERM.)
    public func shutdown() async {
        guard let process, process.isRunning else { return }
        _ = try? await ProcessRunner.run("/usr/bin/redis-cli", ["-p", String(port), "shutdown"])
        if !(await eventually(timeout: .seconds(10), every: .milliseconds(20)) { !process.isRunning }) {
            kill(process.processIdentifier, SIGKILL)
            _ = await eventually(timeout: .seconds(30), every: .milliseconds(20)) { !process.isRunning }
        }
        self.process = nil
    }

    /// `shutdown()` for synchronous callers: it blocks its thread until Redis has exited, so
    /// async code should await `shutdown()` instead.
    public func stop() {
        guard let process, process.isRunning else { return }
        let cli = Process()
        cli.executableURL = URL(fileURLWithPath: "/usr/bin/redis-cli")
        cli.arguments = ["-p", String(port), "shutdown"]
        cli.standardOutput = FileHandle.nullDevice
        cli.standardError = FileHandle.nullDevice
        if (try? cli.run()) != nil { cli.waitUntilExit() }
        for _ in 0..<100 where process.isRunning { usleep(50_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        self.process = nil
    }

    /// Stops the server if it still runs (blocking, as `stop()` does) and deletes its folder.
    public func remove() {
        stop()
        try? FileManager.default.removeItem(at: directory)
    }

    static func ping(port: Int) async -> Bool {
        let result = try? await ProcessRunner.run("/usr/bin/redis-cli", ["-p", String(port), "ping"])
        return result?.text.contains("PONG") == true
    }

    struct ServerDidNotStart: Error {}
}
