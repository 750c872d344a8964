import OttoSupport

/// Where and how to reach Redis, parsed from a `redis://` or `rediss://` URL.
///
/// The password is a secret: `description` and `debugDescription` mask it, and parse
/// errors describe the faulty part without quoting it, so an endpoint can be logged.
public struct RedisEndpoint: Sendable, Equatable, CustomStringConvertible,
    CustomDebugStringConvertible
{
    public var host: String
    public var port: Int
    public var useTLS: Bool
    public var username: String?
    /// Secret: never printed.
    public var password: String?
    public var database: Int
    /// PEM bundle of CAs to trust for `rediss://`; nil uses the system trust store.
    public var tlsCAFile: String?

    /// Builds an endpoint from parts, without validation (tests, programmatic setups).
    public init(
        host: String,
        port: Int = 6379,
        useTLS: Bool = false,
        username: String? = nil,
        password: String? = nil,
        database: Int = 0,
        tlsCAFile: String? = nil
    ) {
        self.host = host
        self.port = port
        self.useTLS = useTLS
        self.username = username
        self.password = password
        self.database = database
        self.tlsCAFile = tlsCAFile
    }

    /// Parses `redis[s]://[[user][:password]@]host[:port][/db]` and reports every problem
    /// at once (configuration validation shows them all in one message).
    ///
    /// Credentials may be percent-encoded; the last `@` ends them, so a password may
    /// contain `@`, `/` or `?` even unencoded. Query strings and fragments are ignored.
    public init(url: String, tlsCAFile: String? = nil) throws(RedisEndpointError) {
        var problems: [String] = []
        var rest = Substring(url)

        var useTLS = false
        if let separator = url.firstRange(of: "://") {
            switch url[..<separator.lowerBound].lowercased() {
            case "redis": useTLS = false
            case "rediss": useTLS = true
            default: problems.append("scheme must be redis:// or rediss://")
            }
            rest = url[separator.upperBound...]
        } else {
            problems.append("URL must start with redis:// or rediss://")
        }

        if let hash = rest.firstIndex(of: "#") {
            rest = rest[..<hash]
        }

        var username: String?
        var password: String?
        if let at = rest.lastIndex(of: "@") {
            let userInfo = rest[..<at]
            rest = rest[rest.index(after: at)...]
            let rawUser: Substring
            var rawPassword: Substring?
            if let colon = userInfo.firstIndex(of: ":") {
                rawUser = userInfo[..<colon]
                rawPassword = userInfo[userInfo.index(after: colon)...]
            } else {
                rawUser = userInfo
            }
            switch Self.percentDecode(rawUser) {
            case .success(let value): username = value.isEmpty ? nil : value
            case .failure(let problem): problems.append("username \(problem.phrase)")
            }
            if let rawPassword {
                switch Self.percentDecode(rawPassword) {
                case .success(let value): password = value.isEmpty ? nil : value
                case .failure(let problem): problems.append("password \(problem.phrase)")
                }
            }
        }

        if let query = rest.firstIndex(of: "?") {
            rest = rest[..<query]
        }
        var hostPort = rest
        var path: Substring = ""
        if let slash = rest.firstIndex(of: "/") {
            hostPort = rest[..<slash]
            path = rest[rest.index(after: slash)...]
        }

        var host = ""
        var portText: Substring?
        if hostPort.first == "[" {
            if let close = hostPort.firstIndex(of: "]") {
                host = String(hostPort[hostPort.index(after: hostPort.startIndex)..<close])
                let after = hostPort[hostPort.index(after: close)...]
                if after.first == ":" {
                    portText = after.dropFirst()
                } else if !after.isEmpty {
                    problems.append("host is followed by unexpected characters")
                }
                if !host.isEmpty,
                    !host.allSatisfy({ $0.isASCII && ($0.isHexDigit || $0 == ":" || $0 == ".") })
                {
                    problems.append("IPv6 host contains characters that are not allowed")
                }
            } else {
                problems.append("IPv6 host is missing its closing bracket")
            }
        } else {
            if let colon = hostPort.firstIndex(of: ":") {
                host = String(hostPort[..<colon])
                portText = hostPort[hostPort.index(after: colon)...]
            } else {
                host = String(hostPort)
            }
            if !host.allSatisfy({
                $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "." || $0 == "_")
            }) {
                problems.append("host contains characters that are not allowed")
            }
        }
        if host.isEmpty, !problems.contains("IPv6 host is missing its closing bracket") {
            problems.append("host is missing")
        }

        var port = 6379
        if let portText {
            if let value = Self.decimal(portText), (1...65535).contains(value) {
                port = value
            } else {
                problems.append("port must be a number from 1 to 65535")
            }
        }

        var database = 0
        if !path.isEmpty {
            if let value = Self.decimal(path), value <= Int(Int32.max) {
                database = value
            } else {
                problems.append("database (the path /N) must be a number from 0 to 2147483647")
            }
        }

        guard problems.isEmpty else {
            throw RedisEndpointError(problems: problems)
        }
        self.init(
            host: host,
            port: port,
            useTLS: useTLS,
            username: username,
            password: password,
            database: database,
            tlsCAFile: tlsCAFile
        )
    }

    public var description: String {
        var text = useTLS ? "rediss://" : "redis://"
        if username != nil || password != nil {
            text += username ?? ""
            if password != nil { text += ":***" }
            text += "@"
        }
        text += host.contains(":") ? "[\(host)]" : host
        text += ":\(port)/\(database)"
        return text
    }

    public var debugDescription: String {
        "RedisEndpoint(host: \(host), port: \(port), useTLS: \(useTLS), "
            + "username: \(username ?? "nil"), password: \(password == nil ? "nil" : "<redacted>"), "
            + "database: \(database), tlsCAFile: \(tlsCAFile ?? "nil"))"
    }

    /// Digits only (no sign, no spaces), at most 10 of them.
    private static func decimal(_ text: Substring) -> Int? {
        guard !text.isEmpty, text.count <= 10, text.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            return nil
        }
        return Int(text)
    }

    private struct DecodingProblem: Error {
        var phrase: String
    }

    /// RFC 3986 percent-decoding; the failure is a phrase that does not quote the input.
    private static func percentDecode(_ text: Substring) -> Result<String, DecodingProblem> {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "%") {
                guard let high = iterator.next().flatMap(Hex.value(ofDigit:)),
                    let low = iterator.next().flatMap(Hex.value(ofDigit:))
                else {
                    return .failure(DecodingProblem(phrase: "has malformed percent-encoding"))
                }
                bytes.append(high << 4 | low)
            } else {
                bytes.append(byte)
            }
        }
        guard let decoded = String(validating: bytes, as: UTF8.self) else {
            return .failure(DecodingProblem(phrase: "is not valid UTF-8 after percent-decoding"))
        }
        return .success(decoded)
    }
}
