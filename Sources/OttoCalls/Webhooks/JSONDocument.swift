import OttoSupport

/// A webhook's JSON body, parsed for what storing it needs: a canonical form, so a delivery is
/// recognised by meaning rather than by bytes; a form PostgreSQL's `jsonb` always accepts; and
/// the top-level scalars as the provider wrote them.
///
/// Hand-written rather than Foundation's `JSONDecoder`/`JSONEncoder`: those read every number
/// into a `Double` (so `12345678901234567890` and `12345678901234567891` would become one
/// number and two different deliveries one digest), and the decoder keeps the first of two
/// equal keys where PostgreSQL's `jsonb` keeps the last. Here numbers keep their written form,
/// a repeated key keeps its last value (as `jsonb` and JavaScript do), and strings must be
/// valid UTF-8 without lone surrogates (RFC 8259 §8.2; `jsonb` refuses them too).
public struct JSONDocument: Sendable {
    /// Why a body is not JSON text; `offset` is the byte where reading stopped.
    public struct SyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
        public var offset: Int
        public var description: String { "the body is not valid JSON text (at byte \(offset))" }
    }

    indirect enum Node: Sendable, Equatable {
        /// Members in the order written, repeated keys included.
        case object([Member])
        case array([Node])
        case string(String)
        /// A number exactly as written (`-0.50E+3` stays `-0.50E+3`).
        case number(String)
        /// `true`, `false` or `null`.
        case literal(String)
    }

    struct Member: Sendable, Equatable {
        var key: String
        var value: Node
    }

    /// Nesting deeper than this is refused (it is also where Foundation's decoder stops), so a
    /// body of a million `[` cannot exhaust the stack.
    public static let maximumDepth = 512

    let root: Node

    /// Parses `bytes` as one JSON text (RFC 8259): one value with optional whitespace around it.
    public init(parsing bytes: some Collection<UInt8>) throws(SyntaxError) {
        var parser = Parser(bytes: Array(bytes))
        root = try parser.document()
    }

    init(root: Node) {
        self.root = root
    }

    /// A JSON object of string values (Twilio's form fields), built for storage.
    public init(stringFields: [String: String]) {
        root = .object(stringFields.map { Member(key: $0.key, value: .string($0.value)) })
    }

    /// Whether the top-level value is an object.
    public var isObject: Bool {
        if case .object = root { return true }
        return false
    }

    /// The canonical UTF-8 text: object keys sorted by UTF-16 code units (as RFC 8785 orders
    /// them), one member per key (the last written), no whitespace, strings with the shortest
    /// escapes (`\"`, `\\`, `\b`, `\f`, `\n`, `\r`, `\t`, `\u00xx` for other control
    /// characters, everything else literal), numbers as written. Two bodies that differ only
    /// in key order, whitespace, string escapes or repeated keys give the same bytes.
    public var canonical: [UInt8] {
        var output: [UInt8] = []
        Self.write(root, to: &output, nulAsText: false)
        return output
    }

    /// The canonical text with every U+0000 written as the six characters `\u0000` (its
    /// backslash escaped), because PostgreSQL's `jsonb` cannot hold U+0000 in a string (SQLSTATE
    /// 22P05). What the database stores and the task reads is this text, so a NUL sent by a
    /// provider arrives as that visible escape instead of a refused event.
    public var storable: String {
        var output: [UInt8] = []
        Self.write(root, to: &output, nulAsText: true)
        return String(decoding: output, as: UTF8.self)
    }

    /// The top-level member `key` when it is a string (its value) or a number (as written);
    /// nil when absent, of another type, or when the document is not an object.
    public func topLevelScalar(_ key: String) -> String? {
        guard case .object(let members) = root, let member = members.last(where: { $0.key == key }) else {
            return nil
        }
        switch member.value {
        case .string(let text), .number(let text): return text
        default: return nil
        }
    }

    /// `text` with U+0000 replaced by the six characters `\u0000`, as `storable` writes it.
    public static func escapingNUL(_ text: String) -> String {
        guard text.utf8.contains(0) else { return text }
        var result = ""
        for scalar in text.unicodeScalars {
            if scalar.value == 0 { result += "\\u0000" } else { result.unicodeScalars.append(scalar) }
        }
        return result
    }

    // MARK: Writing

    static func write(_ node: Node, to output: inout [UInt8], nulAsText: Bool) {
        switch node {
        case .object(let members):
            // The last member of a repeated key wins, as in jsonb.
            var lastIndex: [String: Int] = [:]
            for (index, member) in members.enumerated() { lastIndex[member.key] = index }
            let kept = lastIndex.values.sorted().map { members[$0] }
                .sorted { $0.key.utf16.lexicographicallyPrecedes($1.key.utf16) }
            output.append(UInt8(ascii: "{"))
            for (index, member) in kept.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                writeString(member.key, to: &output, nulAsText: nulAsText)
                output.append(UInt8(ascii: ":"))
                write(member.value, to: &output, nulAsText: nulAsText)
            }
            output.append(UInt8(ascii: "}"))
        case .array(let elements):
            output.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                write(element, to: &output, nulAsText: nulAsText)
            }
            output.append(UInt8(ascii: "]"))
        case .string(let text):
            writeString(text, to: &output, nulAsText: nulAsText)
        case .number(let text), .literal(let text):
            output.append(contentsOf: text.utf8)
        }
    }

    static func writeString(_ text: String, to output: inout [UInt8], nulAsText: Bool) {
        let hex = Hex.digits
        output.append(UInt8(ascii: "\""))
        // Most strings need no escape: then one scan and one copy, not an append per byte.
        guard text.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) else {
            output.append(contentsOf: text.utf8)
            output.append(UInt8(ascii: "\""))
            return
        }
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x08: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "b")])
            case 0x0C: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "f")])
            case 0x0A: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0x00 where nulAsText:
                output.append(contentsOf: Array("\\\\u0000".utf8))
            case 0x00..<0x20:
                output.append(contentsOf: Array("\\u00".utf8))
                output.append(hex[Int(byte >> 4)])
                output.append(hex[Int(byte & 0x0F)])
            default:
                output.append(byte)
            }
        }
        output.append(UInt8(ascii: "\""))
    }

    // MARK: Reading

    struct Parser {
        let bytes: [UInt8]
        var index = 0
        var depth = 0

        init(bytes: [UInt8]) {
            self.bytes = bytes
        }

        mutating func document() throws(SyntaxError) -> Node {
            skipWhitespace()
            let value = try self.value()
            skipWhitespace()
            guard index == bytes.count else { throw SyntaxError(offset: index) }
            return value
        }

        func failure() -> SyntaxError { SyntaxError(offset: index) }

        mutating func skipWhitespace() {
            while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
        }

        mutating func value() throws(SyntaxError) -> Node {
            guard index < bytes.count else { throw failure() }
            switch bytes[index] {
            case UInt8(ascii: "{"): return try object()
            case UInt8(ascii: "["): return try array()
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "t"): return try literal("true")
            case UInt8(ascii: "f"): return try literal("false")
            case UInt8(ascii: "n"): return try literal("null")
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
            default: throw failure()
            }
        }

        mutating func enter() throws(SyntaxError) {
            depth += 1
            guard depth <= JSONDocument.maximumDepth else { throw failure() }
        }

        mutating func object() throws(SyntaxError) -> Node {
            try enter()
            index += 1  // {
            var members: [Member] = []
            skipWhitespace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
                index += 1
                depth -= 1
                return .object(members)
            }
            while true {
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw failure() }
                let key = try string()
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw failure() }
                index += 1
                skipWhitespace()
                members.append(Member(key: key, value: try value()))
                skipWhitespace()
                guard index < bytes.count else { throw failure() }
                if bytes[index] == UInt8(ascii: ",") {
                    index += 1
                    continue
                }
                guard bytes[index] == UInt8(ascii: "}") else { throw failure() }
                index += 1
                depth -= 1
                return .object(members)
            }
        }

        mutating func array() throws(SyntaxError) -> Node {
            try enter()
            index += 1  // [
            var elements: [Node] = []
            skipWhitespace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
                index += 1
                depth -= 1
                return .array(elements)
            }
            while true {
                skipWhitespace()
                elements.append(try value())
                skipWhitespace()
                guard index < bytes.count else { throw failure() }
                if bytes[index] == UInt8(ascii: ",") {
                    index += 1
                    continue
                }
                guard bytes[index] == UInt8(ascii: "]") else { throw failure() }
                index += 1
                depth -= 1
                return .array(elements)
            }
        }

        mutating func literal(_ word: String) throws(SyntaxError) -> Node {
            let expected = word.utf8
            guard bytes.count - index >= expected.count, bytes[index..<index + expected.count].elementsEqual(expected)
            else { throw failure() }
            index += expected.count
            return .literal(word)
        }

        mutating func number() throws(SyntaxError) -> Node {
            let start = index
            func digits(_ parser: inout Parser) -> Int {
                let first = parser.index
                while parser.index < parser.bytes.count,
                    (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(parser.bytes[parser.index])
                {
                    parser.index += 1
                }
                return parser.index - first
            }
            if bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard index < bytes.count else { throw failure() }
            if bytes[index] == UInt8(ascii: "0") {
                index += 1
            } else {
                guard digits(&self) > 0 else { throw failure() }
            }
            if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
                index += 1
                guard digits(&self) > 0 else { throw failure() }
            }
            if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
                index += 1
                if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                    index += 1
                }
                guard digits(&self) > 0 else { throw failure() }
            }
            return .number(String(decoding: bytes[start..<index], as: UTF8.self))
        }

        mutating func string() throws(SyntaxError) -> String {
            index += 1  // opening quote
            var buffer: [UInt8] = []
            while true {
                guard index < bytes.count else { throw failure() }
                let byte = bytes[index]
                switch byte {
                case UInt8(ascii: "\""):
                    index += 1
                    guard let text = String(validating: buffer, as: UTF8.self) else { throw failure() }
                    return text
                case UInt8(ascii: "\\"):
                    index += 1
                    try escape(into: &buffer)
                case 0x00..<0x20:
                    throw failure()  // control characters must be escaped
                default:
                    buffer.append(byte)
                    index += 1
                }
            }
        }

        mutating func escape(into buffer: inout [UInt8]) throws(SyntaxError) {
            guard index < bytes.count else { throw failure() }
            let byte = bytes[index]
            index += 1
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): buffer.append(byte)
            case UInt8(ascii: "b"): buffer.append(0x08)
            case UInt8(ascii: "f"): buffer.append(0x0C)
            case UInt8(ascii: "n"): buffer.append(0x0A)
            case UInt8(ascii: "r"): buffer.append(0x0D)
            case UInt8(ascii: "t"): buffer.append(0x09)
            case UInt8(ascii: "u"):
                var scalarValue = try hex4()
                if (0xD800...0xDBFF).contains(scalarValue) {
                    // A high surrogate must be followed by an escaped low surrogate.
                    guard bytes.count - index >= 6, bytes[index] == UInt8(ascii: "\\"),
                        bytes[index + 1] == UInt8(ascii: "u")
                    else { throw failure() }
                    index += 2
                    let low = try hex4()
                    guard (0xDC00...0xDFFF).contains(low) else { throw failure() }
                    scalarValue = 0x10000 + ((scalarValue - 0xD800) << 10) + (low - 0xDC00)
                } else if (0xDC00...0xDFFF).contains(scalarValue) {
                    throw failure()
                }
                guard let scalar = Unicode.Scalar(scalarValue) else { throw failure() }
                UTF8.encode(scalar) { buffer.append($0) }
            default:
                throw failure()
            }
        }

        mutating func hex4() throws(SyntaxError) -> UInt32 {
            guard bytes.count - index >= 4 else { throw failure() }
            var value: UInt32 = 0
            for _ in 0..<4 {
                let byte = bytes[index]
                let digit: UInt32
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
                default: throw failure()
                }
                value = value << 4 | digit
                index += 1
            }
            return value
        }
    }
}
