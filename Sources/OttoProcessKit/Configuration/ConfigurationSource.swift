import Configuration
import OttoTasks

#if canImport(Glibc)
    import Glibc
#endif

/// Where Otto's configuration comes from: the process environment, read through
/// swift-configuration with the secret variables marked as secrets.
public enum ConfigurationSource {
    /// The secret variables: redacted by the reader and never echoed by validation.
    public static let secretVariables: Set<String> = [
        "DATABASE_URL", "REDIS_URL", "UPSTASH_REDIS_URL", "CLERK_SECRET_KEY", "TWILIO_AUTH_TOKEN",
        "CALLRAIL_API_KEY", "CALLRAIL_SIGNING_KEY", "DEEPGRAM_API_KEY", "OPENAI_API_KEY",
        "BLAND_API_KEY", "INTERNAL_API_TOKEN", "TENANT_SECRETS_KEY",
    ]

    /// A reader over `variables` (the process environment by default).
    public static func reader(environment variables: [String: String] = processEnvironment()) -> ConfigReader {
        ConfigReader(
            provider: EnvironmentVariablesProvider(
                environmentVariables: variables, secretsSpecifier: .specific(secretVariables)))
    }

    /// The current process environment as a dictionary.
    public static func processEnvironment() -> [String: String] {
        var result: [String: String] = [:]
        var pointer = environ
        while let entry = pointer.pointee {
            let text = String(cString: entry)
            if let separator = text.firstIndex(of: "=") {
                result[String(text[..<separator])] = String(text[text.index(after: separator)...])
            }
            pointer += 1
        }
        return result
    }

    /// The number of cores, for the default worker concurrency.
    public static var coreCount: Int {
        #if canImport(Glibc)
            return max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        #else
            return 2
        #endif
    }
}
