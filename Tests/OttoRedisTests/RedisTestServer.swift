import Foundation
import NIOCore
import NIOPosix
import OttoCalls
import OttoRedis
import OttoTasks
import OttoTestSupport

/// A redis-server of the test's own (for killing, restarting and `--requirepass`), on a
/// free loopback port below the ephemeral range, stopped by its pid and reaped (by Foundation;
/// nothing here blocks a thread of the cooperative pool).
final class RedisTestServer {
    let port: Int
    private let extraArguments: [String]
    private var process: Process?

    init(port: Int? = nil, arguments: [String] = []) async throws {
        self.port = port ?? FreePort.pick()
        self.extraArguments = arguments
        try await start()
    }

    deinit {
        terminate()
    }

    var endpoint: RedisEndpoint { RedisEndpoint(host: "127.0.0.1", port: port) }

    func start() async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.serverPath())
        process.arguments =
            ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
            + extraArguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.process = process
        try await waitUntilListening()
    }

    /// SIGKILL, as a crash or an OOM kill would do; returns once the server is gone.
    func crash() async {
        guard let process else { return }
        kill(process.processIdentifier, SIGKILL)
        _ = await eventually(timeout: .seconds(30), every: .milliseconds(5)) { !process.isRunning }
        self.process = nil
    }

    /// SIGKILL without waiting for the exit (for `defer`, which cannot await).
    func terminate() {
        if let process, process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process = nil
    }

    private func waitUntilListening() async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            let connected = try? await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connect(host: "127.0.0.1", port: port).get()
            if let connected {
                try? await connected.close()
                return
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        struct NotListening: Error {}
        throw NotListening()
    }

    private static func serverPath() -> String {
        if let path = ProcessInfo.processInfo.environment["OTTO_TEST_REDIS_SERVER"] { return path }
        let searchPath = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin"
        for directory in searchPath.split(separator: ":") {
            let candidate = "\(directory)/redis-server"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return "/usr/bin/redis-server"
    }
}
