import AsyncHTTPClient
import Foundation
import Logging
import NIOCore

/// The provider stand-ins (Tests/StandIns/providers.py) in a process of their own, one per
/// test so faults programmed by one test never reach another. Used by the provider clients'
/// tests and by the pipeline's system tests.
public final class StandIn: @unchecked Sendable {
    // Configured and started in `start()`, afterwards only signalled and read, which
    // Foundation's Process allows from any thread.
    private let process: Process
    public let port: Int

    public var baseURL: String { "http://127.0.0.1:\(port)" }

    public static let script = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("StandIns/providers.py").path

    private init(process: Process, port: Int) {
        self.process = process
        self.port = port
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    /// Starts a stand-in on a free port below Linux's ephemeral range and waits for `ready PORT`.
    public static func start() async throws -> StandIn {
        for _ in 0..<8 {
            let port = Int.random(in: 30_500...31_999)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
            // The test process blocks most signals in its threads and a spawned child inherits
            // that mask: unblock them first, or the stand-in never sees SIGTERM.
            process.arguments = [
                "-c",
                "import runpy, signal, sys; signal.pthread_sigmask(signal.SIG_SETMASK, []); "
                    + "sys.argv = sys.argv[1:]; runpy.run_path(sys.argv[0], run_name='__main__')",
                script, "--port", String(port),
            ]
            let output = Pipe()
            process.standardOutput = output
            process.standardError = FileHandle.nullDevice
            process.standardInput = FileHandle.nullDevice
            try process.run()
            let standIn = StandIn(process: process, port: port)
            if await standIn.waitUntilReady(output.fileHandleForReading) { return standIn }
            await standIn.stop()
        }
        throw StandInError("the stand-in did not start")
    }

    /// Reads stdout on a thread of its own (not the cooperative pool) until `ready` or exit.
    private func waitUntilReady(_ handle: FileHandle) async -> Bool {
        let expected = "ready \(port)"
        return await withCheckedContinuation { continuation in
            let thread = Thread {
                var text = ""
                while true {
                    let chunk = handle.availableData
                    if chunk.isEmpty { break }
                    text += String(decoding: chunk, as: UTF8.self)
                    if text.contains(expected) { break }
                }
                continuation.resume(returning: text.contains(expected))
            }
            thread.name = "otto-tests-standin-output"
            thread.start()
        }
    }

    /// SIGTERM, then waits for the exit (SIGKILL after 10 s).
    public func stop() async {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGTERM)
        for _ in 0..<500 where process.isRunning {
            try? await Task.sleep(for: .milliseconds(20))
        }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    // MARK: - The control API

    /// `POST /_standin/...` with a JSON body; answers the JSON object.
    @discardableResult
    public func post(_ path: String, _ body: [String: Any]) async throws -> [String: Any] {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: body)))
        return try await send(request)
    }

    public func get(_ path: String) async throws -> [String: Any] {
        try await send(HTTPClientRequest(url: baseURL + path))
    }

    private func send(_ request: HTTPClientRequest) async throws -> [String: Any] {
        var request = request
        // No pooled connection to the stand-in outlives the call: its server waits for open
        // connections when it stops.
        request.headers.add(name: "Connection", value: "close")
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 16 << 20)
        guard response.status == .ok,
            let object = try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any]
        else {
            throw StandInError("\(request.url): HTTP \(response.status.code) \(String(buffer: body))")
        }
        return object
    }

    /// Programs one fault (`{"provider", "fault", ...}`).
    public func fault(_ spec: [String: Any]) async throws {
        try await post("/_standin/faults", spec)
    }

    /// The log entries of `provider`'s requests.
    public func requests(_ provider: String) async throws -> [[String: Any]] {
        let answer = try await get("/_standin/requests?provider=\(provider)")
        return answer["requests"] as? [[String: Any]] ?? []
    }

    /// The violations the stand-in recorded, as text (empty when none).
    public func violations() async throws -> [String] {
        let answer = try await get("/_standin/violations")
        let entries = answer["violations"] as? [[String: Any]] ?? []
        let count = answer["count"] as? Int ?? entries.count
        guard count > 0 else { return [] }
        return entries.map { entry in
            let data = try? JSONSerialization.data(withJSONObject: entry, options: [.sortedKeys])
            return data.map { String(decoding: $0, as: UTF8.self) } ?? "\(entry)"
        }
    }
}

public struct StandInError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// The stand-in's default credentials (Tests/StandIns/README.md, "Credentials"): fakes.
public enum StandInCredentials {
    public static let deepgramKey = "standin-deepgram-key"
    public static let openAIKey = "sk-standin-openai-key"
    public static let callRailKey = "standin-callrail-key"
    public static let callRailAccount = "ACC" + String(repeating: "0", count: 32)
    public static let twilioAccount = "AC" + String(repeating: "0", count: 32)
    public static let twilioToken = String(repeating: "f", count: 32)
}
