import Foundation
import OttoCalls
import OttoTasks

/// A PostgreSQL server of a test's own, for tests that take the database away from running
/// Otto processes or a pool and bring it back (the shared server must stay up for everyone else).
///
/// The postmaster is a child of the test (never daemonised), so stopping it is awaited and
/// leaves no zombie. PostgreSQL refuses to run as root: when the tests run as root, every
/// server command runs as `postgres` through runuser, and that user owns the folder. The
/// database `otto` belongs to the role `otto` (no superuser: row-level security binds it).
/// The server logs to `server.log` in its folder, connections included (`log_connections`).
public final class OwnPostgresServer: @unchecked Sendable {
    public let port: Int
    public let directory: URL
    private let binDirectory: String
    private let runAsPostgres: Bool
    /// Guarded by being used from one test at a time (start and stop are sequential).
    private var process: Process?

    /// The application role's URL.
    public var url: String { "postgres://otto@127.0.0.1:\(port)/otto" }
    /// The superuser's URL (trust authentication on loopback), database `postgres`.
    public var superuserURL: String { "postgres://postgres@127.0.0.1:\(port)/postgres" }

    private init(port: Int, directory: URL, binDirectory: String, runAsPostgres: Bool) {
        self.port = port
        self.directory = directory
        self.binDirectory = binDirectory
        self.runAsPostgres = runAsPostgres
    }

    /// Creates the cluster (initdb) in a fresh folder; `start()` runs it.
    public static func create() async throws -> OwnPostgresServer {
        let binDirectory = try await capture("/usr/bin/env", ["pg_config", "--bindir"]).trimmingCharacters(
            in: .whitespacesAndNewlines)
        let directory = URL(fileURLWithPath: "/tmp").appendingPathComponent("otto-own-pg-\(UUID().uuidString)")
        let runAsPostgres = geteuid() == 0
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        if runAsPostgres { try await capture("/bin/chown", ["-R", "postgres:postgres", directory.path]) }
        let server = OwnPostgresServer(
            port: FreePort.pick(), directory: directory, binDirectory: binDirectory, runAsPostgres: runAsPostgres)
        _ = FileManager.default.createFile(atPath: server.logURL.path, contents: nil)
        do {
            try await server.server(
                "initdb", ["-D", server.dataPath, "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8"])
        } catch {
            try? FileManager.default.removeItem(at: directory)
            throw error
        }
        return server
    }

    /// Creates and starts a server, hands it to `body`, then stops it and removes its folder
    /// (also when `body` throws).
    public static func with<Result>(_ body: (OwnPostgresServer) async throws -> Result) async throws -> Result {
        let server = try await create()
        do {
            try await server.start()
            let result = try await body(server)
            await server.remove()
            return result
        } catch {
            await server.remove()
            throw error
        }
    }

    private var dataPath: String { directory.appendingPathComponent("data").path }
    private var logURL: URL { directory.appendingPathComponent("server.log") }

    /// Connections the server authorized for `applicationName`, from its log, across every
    /// start of this server.
    public func authorizedConnections(applicationName: String) -> Int {
        let log = (try? String(contentsOf: logURL, encoding: .utf8)) ?? ""
        return log.split(whereSeparator: \.isNewline).filter {
            $0.contains("connection authorized:") && $0.contains("application_name=\(applicationName)")
        }.count
    }

    /// Starts the server, waits until it accepts connections, and (the first time) creates the
    /// `otto` role and database.
    public func start() async throws {
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
        try process.run()
        self.process = process
        let deadline = ContinuousClock.now + .seconds(60)
        while (try? await Self.capture("\(binDirectory)/pg_isready", ["-q", "-h", "127.0.0.1", "-p", "\(port)"])) == nil
        {
            guard ContinuousClock.now < deadline, process.isRunning else {
                throw ServerDidNotStart(log: (try? String(contentsOf: logURL, encoding: .utf8)) ?? "")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        let exists = try await psql("SELECT count(*) FROM pg_roles WHERE rolname = 'otto'")
        if exists.trimmingCharacters(in: .whitespacesAndNewlines) == "0" {
            try await psql("CREATE ROLE otto LOGIN")
            try await psql("CREATE DATABASE otto OWNER otto")
        }
    }

    /// Stops the server (fast shutdown: sessions are ended, as in a restart or a failover) and
    /// waits for the postmaster to exit.
    public func stop() async {
        guard let process, process.isRunning else { return }
        _ = try? await server("pg_ctl", ["-D", dataPath, "-m", "fast", "-w", "-t", "60", "stop"])
        while process.isRunning { try? await Task.sleep(for: .milliseconds(20)) }
        self.process = nil
    }

    public func remove() async {
        await stop()
        try? FileManager.default.removeItem(at: directory)
    }

    /// Runs one statement as the superuser and returns psql's unaligned output.
    @discardableResult
    public func psql(_ sql: String) async throws -> String {
        try await Self.capture(
            "\(binDirectory)/psql",
            ["-h", "127.0.0.1", "-p", "\(port)", "-U", "postgres", "-At", "-c", sql, "postgres"])
    }

    @discardableResult
    private func server(_ tool: String, _ arguments: [String]) async throws -> String {
        let executable = "\(binDirectory)/\(tool)"
        if runAsPostgres {
            return try await Self.capture("/usr/sbin/runuser", ["-u", "postgres", "--", executable] + arguments)
        }
        return try await Self.capture(executable, arguments)
    }

    /// Runs a command to completion without blocking a Swift concurrency thread (the test
    /// process has as many as the machine has cores, and timing-bound tests share them); its
    /// output goes through a file (a daemon that inherited a pipe would keep it open).
    @discardableResult
    static func capture(_ executable: String, _ arguments: [String]) async throws -> String {
        let output = URL(fileURLWithPath: "/tmp").appendingPathComponent("otto-own-pg-cmd-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: output) }
        let handle = try FileHandle(forWritingTo: output)
        defer { try? handle.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: "/")
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = handle
        process.standardError = handle
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            process.terminationHandler = { _ in continuation.resume() }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
        guard process.terminationStatus == 0 else { throw CommandFailed(command: executable, output: text) }
        return text
    }

    public struct ServerDidNotStart: Error, CustomStringConvertible {
        /// The server's log.
        public var log: String
        public var description: String { "PostgreSQL did not start: \(log)" }
    }
    public struct CommandFailed: Error, CustomStringConvertible {
        public var command: String
        public var output: String
        public var description: String { "\(command) failed: \(output)" }
    }
}
