/// `APP_ENV`: how strict validation is. Staging and production require their secrets and refuse wildcards.
public enum AppEnvironment: String, Sendable, CaseIterable {
    case development
    case test
    case staging
    case production

    /// Strict environments require every secret of the process and refuse wildcard CORS and plain-HTTP public URLs.
    public var isStrict: Bool { self == .staging || self == .production }

    /// Why a variable is required here (`when APP_ENV=production`), or nil when this environment is not strict.
    public var strictRequirement: String? { isStrict ? strictReason : nil }

    /// `when APP_ENV=…`, the reason messages give for a strict rule.
    public var strictReason: String { "when APP_ENV=\(rawValue)" }
}
