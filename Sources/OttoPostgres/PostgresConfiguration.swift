import CLibPQ

/// How Otto reaches PostgreSQL: the `DATABASE_URL` plus the pool's limits.
///
/// The URL is a secret (it may carry a password), so `description` shows only the parts an
/// operator needs to recognise the target and says whether a password is set.
public struct PostgresConfiguration: Sendable, CustomStringConvertible {
    /// `postgres://` or `postgresql://` URL, parsed by libpq itself so every libpq option works.
    public var url: String
    /// Most connections the pool opens (they are opened lazily, on demand).
    public var poolSize: Int = 10
    /// Bounds opening a connection and waiting for a free one, so a dead server fails fast.
    public var connectTimeout: Duration = .seconds(5)
    /// Set as `statement_timeout` on every connection so a runaway query cannot hold a connection.
    public var statementTimeout: Duration = .seconds(30)
    /// Shown in `pg_stat_activity`, so operators can tell Otto's processes apart.
    public var applicationName: String = "otto"

    /// Creates a configuration; nothing is validated or connected here (see `problems(inURL:)`).
    public init(
        url: String,
        poolSize: Int = 10,
        connectTimeout: Duration = .seconds(5),
        statementTimeout: Duration = .seconds(30),
        applicationName: String = "otto"
    ) {
        self.url = url
        self.poolSize = poolSize
        self.connectTimeout = connectTimeout
        self.statementTimeout = statementTimeout
        self.applicationName = applicationName
    }

    /// Validates a `DATABASE_URL` the way libpq will read it, so `check-config` catches what a
    /// connection attempt would only report at run time.
    ///
    /// libpq's `PQconninfoParse` does the parsing; port, sslmode and integer values (which it
    /// accepts unchecked: connect_timeout, the keepalives and tcp_user_timeout) and the scheme
    /// are checked here. Every problem is reported at once,
    /// each as a fixed phrase that never quotes the URL, its password or libpq's message (which
    /// echoes the input).
    public static func problems(inURL url: String) -> [String] {
        let schemeProblem = "must start with postgres:// or postgresql://"
        if url.isEmpty { return ["is empty"] }
        var problems: [String] = []
        var parseable = url
        if !(url.hasPrefix("postgres://") || url.hasPrefix("postgresql://")) {
            problems.append(schemeProblem)
            // Still check the rest so the operator sees every problem in one go.
            guard let separator = url.firstRange(of: "://") else { return problems }
            parseable = "postgresql://" + url[separator.upperBound...]
        }
        switch parse(parseable) {
        case .failure(let failure):
            problems.append(failure.phrase)
        case .success(let options):
            for port in (options["port"] ?? "").split(separator: ",", omittingEmptySubsequences: false)
            where !port.isEmpty && !isValidPort(port) {
                problems.append("has a port that is not a number from 1 to 65535")
                break
            }
            if let sslmode = options["sslmode"], !validSSLModes.contains(sslmode) {
                problems.append("has an sslmode that is not one of \(validSSLModes.joined(separator: ", "))")
            }
            // libpq reads these as C ints and refuses a larger value only when it connects.
            for option in integerOptions {
                if let value = options[option], !isCInt(value) {
                    problems.append("has a \(option) that is not a whole number from 0 to 2147483647")
                }
            }
        }
        return problems
    }

    public var description: String {
        let timeouts = "connectTimeout: \(connectTimeout), statementTimeout: \(statementTimeout)"
        let limits = "poolSize: \(poolSize), \(timeouts), applicationName: \(applicationName)"
        guard case .success(let options) = Self.parse(url), Self.problems(inURL: url).isEmpty else {
            return "PostgresConfiguration(url: <invalid>, \(limits))"
        }
        let host = options["host"] ?? options["hostaddr"] ?? "<default>"
        let port = options["port"] ?? "<default>"
        let database = options["dbname"] ?? "<default>"
        let user = options["user"] ?? "<default>"
        let password = options["password"] == nil ? "none" : "<redacted>"
        return "PostgresConfiguration(host: \(host), port: \(port), database: \(database), user: \(user), "
            + "password: \(password), \(limits))"
    }

    private static let validSSLModes = ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"]

    private static let integerOptions = [
        "connect_timeout", "keepalives", "keepalives_idle", "keepalives_interval", "keepalives_count",
        "tcp_user_timeout",
    ]

    /// Digits only, at most 2147483647 (a C int).
    private static func isCInt(_ text: String) -> Bool {
        guard !text.isEmpty, text.utf8.count <= 10, text.utf8.allSatisfy(isASCIIDigit), let value = Int(text) else {
            return false
        }
        return value <= Int(Int32.max)
    }

    private static func isASCIIDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    private static func isValidPort(_ port: Substring) -> Bool {
        guard port.utf8.count <= 5, port.utf8.allSatisfy(isASCIIDigit), let value = Int(port) else { return false }
        return (1...65535).contains(value)
    }

    /// Runs libpq's parser; on failure, maps its message (which quotes the input) to a safe phrase.
    private static func parse(_ url: String) -> Result<[String: String], ParseFailure> {
        var message: UnsafeMutablePointer<CChar>?
        guard let options = PQconninfoParse(url, &message) else {
            defer { if let message { PQfreemem(message) } }
            let text = message.map { String(cString: $0) } ?? ""
            return .failure(ParseFailure(phrase(forParserMessage: text)))
        }
        defer { PQconninfoFree(options) }
        var values: [String: String] = [:]
        var option = options
        while let keyword = option.pointee.keyword {
            if let value = option.pointee.val {
                values[String(cString: keyword)] = String(cString: value)
            }
            option += 1
        }
        return .success(values)
    }

    /// Never returns the parser's text: libpq's messages quote the whole URL, password included.
    private static func phrase(forParserMessage message: String) -> String {
        if message.contains("IPv6") { return "has a malformed IPv6 host address" }
        if message.contains("unexpected character") { return "has an unexpected character after the host" }
        if message.contains("query parameter") { return "has a malformed or unknown query parameter" }
        if message.contains("percent-encoded") { return "has invalid percent-encoding" }
        if message.contains("out of memory") { return "could not be parsed (out of memory)" }
        return "cannot be parsed as a PostgreSQL connection URL"
    }

    private struct ParseFailure: Error {
        var phrase: String
        init(_ phrase: String) { self.phrase = phrase }
    }
}
