import Foundation
import OttoCalls
import OttoTasks

/// A real otto binary started by a test, with its output captured.
///
/// Nothing here blocks a thread of the cooperative pool: a thread of the child's own reads its
/// output until the pipe closes, and exits are awaited by polling.
public final class ChildProcess: @unchecked Sendable {
    // `process` is configured in `init` and started once; afterwards it is only read
    // (`isRunning`, `terminationStatus`, `processIdentifier`), which Foundation makes safe.
    public let process = Process()
    private let outputPipe = Pipe()
    private let sink = OutputSink()

    public init(binary: String, arguments: [String] = [], environment: [String: String]) {
        process.executableURL = URL(fileURLWithPath: TestServices.binary(binary))
        process.arguments = arguments
        process.environment = environment.merging(["PATH": "/usr/bin:/bin"]) { current, _ in current }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = outputPipe
        process.standardError = outputPipe
    }

    public func start() throws {
        try process.run()
        // The reader holds the pipe and the sink, not `self`, so a test that drops the child
        // early still reaches `deinit` (which kills it).
        let handle = outputPipe.fileHandleForReading
        let sink = self.sink
        let reader = Thread {
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                sink.append(chunk)
            }
            sink.close()
        }
        reader.name = "otto-tests-child-output"
        reader.start()
    }

    deinit {
        // A test that fails early must not leave its servers running (Foundation reaps it).
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    public var output: String { sink.text }

    /// Waits until the output contains `text`, up to `timeout`.
    public func waitForOutput(_ text: String, timeout: Duration) async -> Bool {
        await eventually(timeout: timeout, every: .milliseconds(50)) { output.contains(text) }
    }

    public func signal(_ signal: Int32) { kill(process.processIdentifier, signal) }

    /// Waits for exit up to `timeout`; returns the status, or nil (and kills it) on timeout.
    public func waitForExit(timeout: Duration) async -> Int32? {
        let exited = await eventually(timeout: timeout, every: .milliseconds(20)) { !process.isRunning }
        if !exited {
            kill(process.processIdentifier, SIGKILL)
            _ = await eventually(timeout: .seconds(30), every: .milliseconds(20)) { !process.isRunning }
            return nil
        }
        // The reader may lag behind the exit: the output is complete once the pipe has closed.
        _ = await eventually(timeout: .seconds(30), every: .milliseconds(10)) { sink.isClosed }
        return process.terminationStatus
    }

    /// Runs to completion and returns (status, output).
    public static func run(_ binary: String, _ arguments: [String], environment: [String: String]) async throws -> (
        Int32, String
    ) {
        let child = ChildProcess(binary: binary, arguments: arguments, environment: environment)
        try child.start()
        let status = await child.waitForExit(timeout: .seconds(60)) ?? -1
        return (status, child.output)
    }

    /// The output read so far, shared by the reader thread and the test.
    private final class OutputSink: @unchecked Sendable {
        // The lock guards both fields.
        private let lock = NSLock()
        private var data = Data()
        private var closed = false

        func append(_ chunk: Data) { lock.withLock { data.append(chunk) } }
        func close() { lock.withLock { closed = true } }
        var isClosed: Bool { lock.withLock { closed } }
        var text: String { lock.withLock { String(decoding: data, as: UTF8.self) } }
    }
}
