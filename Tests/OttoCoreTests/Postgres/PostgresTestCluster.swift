import Foundation
import Glibc
import Testing

/// A throwaway PostgreSQL cluster for tests that must stop and start a real server.
///
/// PostgreSQL refuses to run as root, so when the tests run as root (CI) every server command
/// runs as the `postgres` user through `runuser`, and that user owns the temporary folder.
final class PostgresTestCluster: Sendable {
    let directory: URL
    let port: Int
    private let binDirectory: String
    private let runAsPostgres: Bool

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
        let binDirectory = try await run("/usr/bin/env", ["pg_config", "--bindir"]).trimmingCharacters(in: .whitespacesAndNewlines)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("otto-pg-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let runAsPostgres = geteuid() == 0
        if runAsPostgres {
            _ = try await run("/bin/chown", ["-R", "postgres:postgres", directory.path])
        }
        let cluster = PostgresTestCluster(
            directory: directory,
            port: try freePort(),
            binDirectory: binDirectory,
            runAsPostgres: runAsPostgres
        )
        do {
            try await cluster.server("initdb", ["-D", cluster.dataPath, "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8"])
        } catch {
            try? FileManager.default.removeItem(at: directory)
            throw error
        }
        return cluster
    }

    private var dataPath: String { directory.appendingPathComponent("data").path }

    func start() async throws {
        let options = "-p \(port) -k \(directory.path) -c listen_addresses=127.0.0.1 -c fsync=off"
        try await server(
            "pg_ctl",
            ["-D", dataPath, "-l", directory.appendingPathComponent("server.log").path, "-o", options, "-w", "-t", "60", "start"]
        )
    }

    func stop() async throws {
        try await server("pg_ctl", ["-D", dataPath, "-m", "fast", "-w", "-t", "60", "stop"])
    }

    private func destroy() async throws {
        if FileManager.default.fileExists(atPath: directory.appendingPathComponent("data/postmaster.pid").path) {
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

    /// Runs a command to completion without blocking a Swift concurrency thread; returns stdout.
    @discardableResult
    private static func run(_ executable: String, _ arguments: [String]) async throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe()
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
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        guard process.terminationStatus == 0 else {
            Issue.record("\(executable) \(arguments.joined(separator: " ")) failed: \(text)")
            throw CancellationError()
        }
        return text
    }

    /// Asks the kernel for a free loopback port (a tiny race with other processes is acceptable).
    private static func freePort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw POSIXError(.EMFILE) }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                bind(descriptor, address, length) == 0 && getsockname(descriptor, address, &length) == 0
            }
        }
        guard bound else { throw POSIXError(.EADDRINUSE) }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
