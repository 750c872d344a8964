import HummingbirdCore
import NIOCore
import OttoCore
import OttoProcessKit

extension HTTP1Channel.Configuration {
    /// otto-api's HTTP/1.1 server: the head size caps of `limits` in the decoder, and
    /// `SlowClientGuard` for the header, body and idle timeouts (Hummingbird's own idle timer
    /// is off: the guard's covers idle connections, and also heads and bodies that trickle).
    static func otto(limits: HTTPConnectionLimits, metrics: APIMetrics) -> HTTP1Channel.Configuration {
        HTTP1Channel.Configuration(
            additionalChannelHandlers: [
                SlowClientGuard(limits: limits) { reason in metrics.recordConnectionClosed(reason: reason.rawValue) }
            ],
            idleTimeout: nil,
            httpDecoderConfiguration: .init(
                maxHeaderFieldSize: limits.maxHeaderBytes, maxHeaderListSize: limits.maxHeaderBytes,
                maxHeaderFieldCount: limits.maxHeaderFields))
    }
}
