import OttoProcessKit

/// How long otto-api waits for a slow client, and how large a request head may be.
///
/// A connection gets `headerTimeout` to deliver a complete request head, counted from the
/// accept for its first request and from the first byte of each later one; between requests a
/// keep-alive connection may sit idle for `idleTimeout` (longer than the 60 s idle timeouts of
/// common proxies, so a proxy never reuses a connection the server is closing); while a body is
/// read, a stall of `bodyTimeout` with no byte (while the server asks for more) closes it.
/// The head is capped at `maxHeaderBytes` (all fields together and any single one).
public struct HTTPConnectionLimits: Sendable, Equatable {
    /// `HTTP_HEADER_TIMEOUT` in seconds, default 10.
    public var headerTimeout: Duration
    /// `HTTP_BODY_TIMEOUT` in seconds, default 30.
    public var bodyTimeout: Duration
    /// `HTTP_IDLE_TIMEOUT` in seconds, default 75.
    public var idleTimeout: Duration
    /// `HTTP_MAX_HEADER_BYTES`, default 32 KiB.
    public var maxHeaderBytes: Int
    /// The most header fields a request may carry.
    public var maxHeaderFields: Int

    /// The defaults production runs with.
    public static let standard = HTTPConnectionLimits(
        headerTimeout: .seconds(10), bodyTimeout: .seconds(30), idleTimeout: .seconds(75),
        maxHeaderBytes: 32 * 1024, maxHeaderFields: 100)

    public init(
        headerTimeout: Duration, bodyTimeout: Duration, idleTimeout: Duration, maxHeaderBytes: Int,
        maxHeaderFields: Int
    ) {
        self.headerTimeout = headerTimeout
        self.bodyTimeout = bodyTimeout
        self.idleTimeout = idleTimeout
        self.maxHeaderBytes = maxHeaderBytes
        self.maxHeaderFields = maxHeaderFields
    }
}
