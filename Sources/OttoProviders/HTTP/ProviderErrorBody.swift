import NIOCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The message of a provider's error body, in whichever shape the provider uses: Deepgram's
/// `{"err_msg"}`, OpenAI's `{"error": {"message", "code"}}`, CallRail's `{"error": "..."}`,
/// Twilio's `{"message", "code"}`, or plain text (gateways answer HTML or text). Shortened and
/// stripped of control characters, since it ends up in logs.
struct ProviderErrorBody: Sendable {
    var text: String
    var code: String?

    static let maximumLength = 300

    init(_ body: ByteBuffer) {
        let bytes = Array(body.readableBytesView)
        if let shape = try? JSONDecoder().decode(Shape.self, from: Data(bytes)) {
            text = Self.clean(shape.message ?? "")
            code = shape.code
        } else {
            text = Self.clean(String(decoding: bytes, as: UTF8.self))
            code = nil
        }
    }

    static func clean(_ text: String) -> String {
        let printable = text.unicodeScalars.map { $0.properties.generalCategory == .control ? " " : Character($0) }
        let single = String(printable).split(whereSeparator: \.isWhitespace).joined(separator: " ")
        return single.count > maximumLength ? String(single.prefix(maximumLength)) + "…" : single
    }

    private struct Shape: Decodable {
        var message: String?
        var code: String?

        private enum Keys: String, CodingKey {
            case error, message, code
            case errMsg = "err_msg"
            case errCode = "err_code"
        }

        private struct Nested: Decodable {
            var message: String?
            var code: String?
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: Keys.self)
            if let nested = try? container.decode(Nested.self, forKey: .error) {
                message = nested.message
                code = nested.code
            } else if let text = try? container.decode(String.self, forKey: .error) {
                message = text
            } else {
                message =
                    (try? container.decode(String.self, forKey: .errMsg))
                    ?? (try? container.decode(String.self, forKey: .message))
                code = (try? container.decode(String.self, forKey: .errCode))
            }
            if message == nil && code == nil {
                throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "no message"))
            }
        }
    }
}
