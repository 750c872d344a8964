import Foundation
import OttoCalls
import OttoTasks

/// One HTTP request to a real server (curl on its own connection, so no client library is
/// needed) and what came back: status, headers and body.
public struct HTTPExchange: Sendable {
    /// The status code; 0 when no response arrived.
    public var status: Int
    /// Response headers by lower-cased name (the last value of a repeated name).
    public var headers: [String: String]
    public var body: Data

    public var text: String { String(decoding: body, as: UTF8.self) }

    /// The body as a JSON object, or nil.
    public var json: [String: Any]? { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] }

    /// The header `name` (any case).
    public func header(_ name: String) -> String? { headers[name.lowercased()] }

    /// Sends `method url` with `headers` and `body`; gives up (status 0) after `timeout`.
    public static func send(
        _ method: String, _ url: String, headers: [String: String] = [:], body: Data? = nil,
        timeout: Duration = .seconds(10)
    ) async throws -> HTTPExchange {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("otto-http-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let headerFile = directory.appendingPathComponent("headers")
        let bodyFile = directory.appendingPathComponent("body")
        var arguments = [
            "-s", "-g", "-X", method, "-D", headerFile.path, "-o", bodyFile.path, "-w", "%{http_code}",
            "--max-time", String(Int(timeout.components.seconds)), "-H", "Expect:",
        ]
        for (name, value) in headers { arguments += ["-H", "\(name): \(value)"] }
        if let body {
            let requestFile = directory.appendingPathComponent("request")
            try body.write(to: requestFile)
            arguments += ["--data-binary", "@" + requestFile.path]
        }
        arguments.append(url)
        let output = try await run("/usr/bin/curl", arguments)
        var exchange = HTTPExchange(status: Int(output) ?? 0, headers: [:], body: Data())
        exchange.body = (try? Data(contentsOf: bodyFile)) ?? Data()
        let head = (try? String(contentsOf: headerFile, encoding: .utf8)) ?? ""
        // Only the last response's head (a 100 Continue may precede it).
        let lastHead = head.components(separatedBy: "\r\n\r\n").filter { !$0.isEmpty }.last ?? ""
        for line in lastHead.components(separatedBy: "\r\n").dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].lowercased()
            exchange.headers[name] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return exchange
    }

    /// Polls `url` until it answers 200, up to `timeout`.
    public static func waitForOK(_ url: String, timeout: Duration) async -> Bool {
        await eventually(timeout: timeout, every: .milliseconds(100)) {
            (try? await send("GET", url, timeout: .seconds(2)))?.status == 200
        }
    }

    /// Runs `executable` and returns its standard output, without blocking a cooperative thread.
    private static func run(_ executable: String, _ arguments: [String]) async throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        return try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { _ in
                let data = pipe.fileHandleForReading.readDataToEndOfFile()
                continuation.resume(returning: String(decoding: data, as: UTF8.self))
            }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
    }
}
