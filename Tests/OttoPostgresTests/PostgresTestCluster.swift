import Foundation
import OttoCalls
import OttoTasks
import OttoTestSupport
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A throwaway PostgreSQL cluster for tests that must stop and start a real server.
///
/// PostgreSQL refuses to run as root, so when the tests run as root (CI) every server command
/// runs as the `postgres` user through `runuser`, and that user owns the temporary folder.
final class PostgresTestCluster: Sendable {
    let directory: URL
    let port: Int
    private let binDirectory: String
    private let runAsPostgres: Bool
    /// Set while the postmaster this test started is running.
    private let serverExit = Mutex<ProcessExit?>(nil)

    /// The URL for the cluster's superuser (trust authentication on loopback).
    var url: String { "postgres://postgres@127.0.0.1:\(port)/postgres" }

    private init(directory: URL, port: Int, binDirectory: String, runAsPostgres: Bool) {
        self.directory = directory
        self.port = port
        self.binDirectory = binDirectory
        self.runAsPostgres = runAsPostgres
    }

    /// Creates, starts, hands the cluster to `body`, then stops it and removes its folder.
    static func with<Result>(_ body: (PostgresTestCluster) async throws -> Result) async throws -> Result {
        let cluster = try await create()
        do {
            try await cluster.start()
            let result = try await body(cluster)
            try await cluster.destroy()
            return result
        } catch {
            try? await cluster.destroy()
            throw error
        }
    }

    private static func create() async throws -> PostgresTestCluster {
        let binDirectory = try await run("/usr/bin/env", ["pg_config", "--bindir"]).trimmingCharacters(
            in: .whitespacesAndNewlines)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("otto-pg-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let runAsPostgres = geteuid() == 0
        if runAsPostgres {
            _ = try await run("/bin/chown", ["-R", "postgres:postgres", directory.path])
        }
        let cluster = PostgresTestCluster(
            directory: directory,
            port: FreePort.pick(),
            binDirectory: binDirectory,
            runAsPostgres: runAsPostgres
        )
        _ = FileManager.default.createFile(atPath: cluster.logURL.path, contents: nil)
        do {
            if runAsPostgres {
                _ = try await run("/bin/chown", ["postgres:postgres", cluster.logURL.path])
            }
            try await cluster.server(
                "initdb", ["-D", cluster.dataPath, "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8"])
        } catch {
            try? FileManager.default.removeItem(at: directory)
            throw error
        }
        return cluster
    }

    /// Connections the server authorized for `applicationName`, from its log (`log_connections`
    /// is on), across every start of this cluster.
    func authorizedConnections(applicationName: String) -> Int {
        let log = (try? String(contentsOf: logURL, encoding: .utf8)) ?? ""
        return log.split(whereSeparator: \.isNewline).filter {
            $0.contains("connection authorized:") && $0.contains("application_name=\(applicationName)")
        }.count
    }

    private var dataPath: String { directory.appendingPathComponent("data").path }
    private var logURL: URL { directory.appendingPathComponent("server.log") }

    /// Runs the postmaster as this process's child (not daemonized by `pg_ctl start`), so the
    /// test owns it and can await its exit; then waits until it accepts connections.
    func start() async throws {
        let log = try FileHandle(forWritingTo: logURL)
        defer { try? log.close() }
        try log.seekToEnd()
        let process = Process()
        let arguments = [
            "-D", dataPath, "-p", "\(port)", "-k", directory.path, "-c", "listen_addresses=127.0.0.1", "-c",
            "fsync=off", "-c", "log_connections=on",
        ]
        if runAsPostgres {
            process.executableURL = URL(fileURLWithPath: "/usr/sbin/runuser")
            process.arguments = ["-u", "postgres", "--", "\(binDirectory)/postgres"] + arguments
        } else {
            process.executableURL = URL(fileURLWithPath: "\(binDirectory)/postgres")
            process.arguments = arguments
        }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = log
        process.standardError = log
        let exit = ProcessExit()
        process.terminationHandler = { _ in exit.signal() }
        try process.run()
        serverExit.withLock { $0 = exit }
        let deadline = ContinuousClock.now + .seconds(60)
        while true {
            if (try? await Self.run(
                "\(binDirectory)/pg_isready", ["-q", "-h", "127.0.0.1", "-p", "\(port)"], expectSuccess: false)) != nil
            {
                return
            }
            guard ContinuousClock.now < deadline, !exit.hasExited else {
                Issue.record("PostgreSQL did not start: \((try? String(contentsOf: logURL, encoding: .utf8)) ?? "")")
                throw CancellationError()
            }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    /// `pg_ctl stop -m fast`, then waits for the postmaster to exit (so it leaves no zombie).
    func stop() async throws {
        try await server("pg_ctl", ["-D", dataPath, "-m", "fast", "-w", "-t", "60", "stop"])
        if let exit = serverExit.withLock({ $0 }) {
            await exit.wait()
            serverExit.withLock { $0 = nil }
        }
    }

    private func destroy() async throws {
        if serverExit.withLock({ $0 }) != nil {
            try await stop()
        }
        try FileManager.default.removeItem(at: directory)
    }

    private func server(_ tool: String, _ arguments: [String]) async throws {
        let executable = "\(binDirectory)/\(tool)"
        if runAsPostgres {
            _ = try await Self.run("/usr/sbin/runuser", ["-u", "postgres", "--", executable] + arguments)
        } else {
            _ = try await Self.run(executable, arguments)
        }
    }

    /// Runs a command to completion without blocking a Swift concurrency thread; returns its output.
    ///
    /// Output goes to a file, not a pipe: `pg_ctl start` leaves a daemon behind that would inherit
    /// a pipe and keep it open forever.
    @discardableResult
    private static func run(_ executable: String, _ arguments: [String], expectSuccess: Bool = true) async throws
        -> String
    {
        let outputURL = FileManager.default.temporaryDirectory.appendingPathComponent(
            "otto-pg-cmd-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: outputURL.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: outputURL) }
        let output = try FileHandle(forWritingTo: outputURL)
        defer { try? output.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = output
        process.standardError = output
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            process.terminationHandler = { _ in continuation.resume() }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        let text = (try? String(contentsOf: outputURL, encoding: .utf8)) ?? ""
        guard process.terminationStatus == 0 else {
            guard expectSuccess else { throw CancellationError() }
            Issue.record("\(executable) \(arguments.joined(separator: " ")) failed: \(text)")
            throw CancellationError()
        }
        return text
    }

    /// Lets async code await a child process's exit, reported by Foundation's termination handler.
    private final class ProcessExit: Sendable {
        private let state = Mutex<(exited: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

        var hasExited: Bool { state.withLock { $0.exited } }

        func signal() {
            let waiters = state.withLock { state in
                state.exited = true
                defer { state.waiters.removeAll() }
                return state.waiters
            }
            for waiter in waiters { waiter.resume() }
        }

        func wait() async {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let exited = state.withLock { state in
                    if !state.exited { state.waiters.append(continuation) }
                    return state.exited
                }
                if exited { continuation.resume() }
            }
        }
    }
}
