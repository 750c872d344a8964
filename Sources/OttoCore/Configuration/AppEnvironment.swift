/// `APP_ENV`: how strict validation is. Staging and production require their secrets and refuse wildcards.
public enum AppEnvironment: String, Sendable, CaseIterable {
    case development
    case test
    case staging
    case production

    /// Strict environments require every secret of the process and refuse wildcard CORS and plain-HTTP public URLs.
    public var isStrict: Bool { self == .staging || self == .production }
}
