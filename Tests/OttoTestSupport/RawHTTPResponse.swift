import Foundation

/// A response read off a `RawHTTPConnection`.
public struct RawHTTPResponse: Sendable {
    public var status: Int
    /// Header names in lower case; repeated fields joined with ", ".
    public var headers: [String: String]
    public var body: String

    init?(parsing text: String) {
        guard let split = text.range(of: "\r\n\r\n") else { return nil }
        let lines = text[..<split.lowerBound].components(separatedBy: "\r\n")
        let statusParts = lines.first?.split(separator: " ") ?? []
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else { return nil }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            headers[name] = headers[name].map { $0 + ", " + value } ?? value
        }
        let body = String(text[split.upperBound...])
        if let length = headers["content-length"].flatMap(Int.init), body.utf8.count < length { return nil }
        self.status = status
        self.headers = headers
        self.body = body
    }
}
