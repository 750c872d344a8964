import Foundation
import OttoCalls
import OttoTasks

/// Runs a short-lived command (curl, redis-cli, nm, a shell script) to completion without
/// blocking a thread of Swift's cooperative pool.
///
/// `readDataToEndOfFile` and `waitUntilExit` block their thread until the command ends; on the
/// cooperative pool (two threads on this machine) that stalls every other test's timers and
/// network handlers meanwhile. Here a thread of the command's own reads its output and waits for
/// its exit, and the caller is resumed when both are done.
public enum ProcessRunner {
    /// What a command printed and how it ended.
    public struct Result: Sendable {
        public var status: Int32
        public var output: Data
        public var text: String { String(decoding: output, as: UTF8.self) }
    }

    /// Where the command's standard error goes.
    public enum ErrorOutput: Sendable {
        /// Into `output`, interleaved with standard output.
        case merged
        case discarded
    }

    /// Runs `executable` with `arguments` (in `environment`, or the test process's own when nil),
    /// with `input` on its standard input (none when nil).
    public static func run(
        _ executable: String, _ arguments: [String], environment: [String: String]? = nil,
        input: Data? = nil, standardError: ErrorOutput = .discarded
    ) async throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        let pipe = Pipe()
        let inputPipe = input.map { _ in Pipe() }
        process.standardInput = inputPipe ?? FileHandle.nullDevice
        process.standardOutput = pipe
        process.standardError = standardError == .merged ? pipe : FileHandle.nullDevice
        try process.run()
        if let input, let writer = inputPipe?.fileHandleForWriting {
            // Written by a thread of its own, so a command that answers before it has read all of
            // its input cannot block the reader below.
            let pending = Running.Input(handle: writer, data: input)
            let thread = Thread {
                pending.handle.write(pending.data)
                try? pending.handle.close()
            }
            thread.name = "otto-tests-process-input"
            thread.start()
        }
        let running = Running(process: process, output: pipe.fileHandleForReading)
        return await withCheckedContinuation { continuation in
            let thread = Thread {
                let data = running.output.readDataToEndOfFile()
                running.process.waitUntilExit()
                continuation.resume(returning: Result(status: running.process.terminationStatus, output: data))
            }
            thread.name = "otto-tests-process-runner"
            thread.start()
        }
    }

    /// The started process and its output, handed to the thread that waits for them.
    private final class Running: @unchecked Sendable {
        // After `run()` only that one thread touches them.
        let process: Process
        let output: FileHandle

        init(process: Process, output: FileHandle) {
            self.process = process
            self.output = output
        }

        /// The command's input and the pipe it goes to, handed to the thread that writes it.
        final class Input: @unchecked Sendable {
            // Only that one thread touches them.
            let handle: FileHandle
            let data: Data

            init(handle: FileHandle, data: Data) {
                self.handle = handle
                self.data = data
            }
        }
    }
}
