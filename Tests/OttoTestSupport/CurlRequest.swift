import Foundation
import OttoCalls
import OttoTasks

/// One HTTP request to a real otto process through curl, headers sent exactly as given (curl
/// sends a `Host:` header it is handed verbatim, which a URL-based client would not).
public enum CurlRequest {
    public struct Answer: Sendable {
        public var status: Int
        public var body: String
        /// Response header lines, lower-cased names.
        public var headers: [String: String]
    }

    public static func send(
        _ url: String, method: String = "POST", headers: [String: String] = [:], body: String? = nil,
        timeout: Int = 10
    ) async -> Answer {
        var arguments = ["-s", "-X", method, "--max-time", String(timeout), "-D", "-", "-o", "-"]
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) { arguments += ["-H", "\(name): \(value)"] }
        if let body { arguments += ["--data-binary", body] }
        guard let result = try? await ProcessRunner.run("/usr/bin/curl", arguments + [url]) else {
            return Answer(status: 0, body: "", headers: [:])
        }
        let data = result.output
        let text = String(decoding: data, as: UTF8.self)
        guard let split = text.range(of: "\r\n\r\n") else { return Answer(status: 0, body: text, headers: [:]) }
        let head = text[..<split.lowerBound].split(separator: "\r\n")
        let status = head.first.flatMap { $0.split(separator: " ").dropFirst().first }.flatMap { Int($0) } ?? 0
        var fields: [String: String] = [:]
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return Answer(status: status, body: String(text[split.upperBound...]), headers: fields)
    }
}
