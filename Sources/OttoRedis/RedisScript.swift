import OttoSupport

/// A Lua script with its SHA1 computed once, so `RedisClient.eval` can send `EVALSHA`
/// (a few bytes) instead of the whole source on every call.
public struct RedisScript: Sendable {
    /// The Lua source, sent only when the server does not know the script yet.
    public let source: String
    /// Lower-case hex SHA1 of `source`, as Redis computes it.
    public let sha1: String

    /// Hashes `source`; keep scripts in `static let`s so this runs once.
    public init(_ source: String) {
        self.source = source
        self.sha1 = Hex.encode(SHA1.hash(source.utf8))
    }
}
