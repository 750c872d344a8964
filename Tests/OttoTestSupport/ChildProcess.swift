import Foundation

/// A real otto binary started by a test, with its output captured.
public final class ChildProcess: @unchecked Sendable {
    public let process = Process()
    private let outputPipe = Pipe()
    private let lock = NSLock()
    private var buffer = Data()

    public init(binary: String, arguments: [String] = [], environment: [String: String]) {
        process.executableURL = URL(fileURLWithPath: TestServices.binary(binary))
        process.arguments = arguments
        process.environment = environment.merging(["PATH": "/usr/bin:/bin"]) { current, _ in current }
        process.standardOutput = outputPipe
        process.standardError = outputPipe
        outputPipe.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            guard let self else { return }
            self.lock.withLock { self.buffer.append(data) }
        }
    }

    public func start() throws { try process.run() }

    /// Reads what is left in the pipe after the process exited (the handler may lag behind).
    private func drain() {
        outputPipe.fileHandleForReading.readabilityHandler = nil
        let rest = outputPipe.fileHandleForReading.readDataToEndOfFile()
        lock.withLock { buffer.append(rest) }
    }

    deinit {
        // A test that fails early must not leave its servers running.
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    public var output: String { lock.withLock { String(decoding: buffer, as: UTF8.self) } }

    /// Waits until the output contains `text`, up to `timeout`.
    public func waitForOutput(_ text: String, timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if output.contains(text) { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return output.contains(text)
    }

    public func signal(_ signal: Int32) { kill(process.processIdentifier, signal) }

    /// Waits for exit up to `timeout`; returns the status, or nil (and kills it) on timeout.
    public func waitForExit(timeout: Duration) async -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            return nil
        }
        drain()
        return process.terminationStatus
    }

    /// Runs to completion and returns (status, output).
    public static func run(_ binary: String, _ arguments: [String], environment: [String: String]) async throws -> (
        Int32, String
    ) {
        let child = ChildProcess(binary: binary, arguments: arguments, environment: environment)
        try child.start()
        let status = await child.waitForExit(timeout: .seconds(30)) ?? -1
        return (status, child.output)
    }
}
