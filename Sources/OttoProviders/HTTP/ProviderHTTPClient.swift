import AsyncHTTPClient
import Logging
import NIOCore
import NIOHTTP1
import OttoSupport
import ServiceLifecycle

/// The process's one HTTP client for the providers, run as a Service: its connection pool
/// lives as long as the ServiceGroup, and `run()` shuts it down once graceful shutdown begins
/// (list it before the services that call providers, so it stops after them).
///
/// Redirects are not followed by the client: a media fetch follows them itself, so that
/// credentials never travel to the storage URL a provider redirects to.
public final class ProviderHTTPClient: Service, Sendable {
    let client: HTTPClient
    let logger: Logger

    /// The connections the client keeps to one host when none is said: async-http-client's own
    /// default.
    public static let defaultConnectionsPerHost = 8

    /// - Parameters:
    ///   - connectTimeout: how long opening a connection may take.
    ///   - readTimeout: how long a response may go without a byte (a stalled media stream).
    ///   - connectionsPerHost: HTTP/1 connections kept open to one host; requests beyond them
    ///     wait inside the client. Size it to the largest provider concurrency (otto-worker
    ///     does), or a provider's limit of 20 is in effect 8 and the rest of its permits wait here.
    public init(
        connectTimeout: Duration = .seconds(10), readTimeout: Duration = .seconds(60),
        connectionsPerHost: Int = ProviderHTTPClient.defaultConnectionsPerHost, logger: Logger
    ) {
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: TimeAmount(connectTimeout), read: TimeAmount(readTimeout)))
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = max(1, connectionsPerHost)
        client = HTTPClient(
            eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration,
            backgroundActivityLogger: logger)
        self.logger = logger
    }

    public func run() async throws {
        // Waits for graceful shutdown (or cancellation), then closes the pool; requests still
        // running fail, which is why this service is listed before its callers.
        try? await gracefulShutdown()
        try await client.shutdown()
    }

    /// Shuts the client down outside a ServiceGroup (tests, one-shot commands).
    public func shutdown() async throws {
        try await client.shutdown()
    }

    /// Sends `request` and returns a 2xx or 3xx answer with its body unread; any other status,
    /// and every transport failure, is thrown as the provider's ``ProviderError``.
    ///
    /// `timeout` bounds the time until the response head arrives (the upload included); the
    /// body then streams under the client's read timeout.
    func send(_ request: HTTPClientRequest, to provider: ProviderName, timeout: Duration) async throws
        -> HTTPClientResponse
    {
        let response: HTTPClientResponse
        do {
            response = try await client.execute(request, timeout: TimeAmount(timeout), logger: logger)
        } catch {
            throw Self.transportError(error, provider: provider)
        }
        guard (200..<400).contains(response.status.code) else {
            throw await Self.statusError(response, provider: provider)
        }
        return response
    }

    /// Sends `request` and reads the whole 200 answer (at most `limit` bytes).
    func sendReadingBody(
        _ request: HTTPClientRequest, to provider: ProviderName, timeout: Duration, limit: Int = 16 << 20
    ) async throws -> (HTTPClientResponse, ByteBuffer) {
        let response = try await send(request, to: provider, timeout: timeout)
        guard response.status == .ok else {
            throw ProviderError(
                provider, .invalidResponse(reason: "HTTP \(response.status.code) where 200 was expected"))
        }
        do {
            return (response, try await response.body.collect(upTo: limit))
        } catch is NIOTooManyBytesError {
            throw ProviderError(provider, .invalidResponse(reason: "the body is larger than \(limit) bytes"))
        } catch {
            throw Self.transportError(error, provider: provider)
        }
    }

    /// A failure without an HTTP answer: the provider's outage, unless the task was cancelled
    /// or the request itself was malformed.
    static func transportError(_ error: any Error, provider: ProviderName) -> any Error {
        if let error = error as? ProviderError { return error }
        if error is CancellationError || Task.isCancelled { return CancellationError() }
        if let error = error as? HTTPClientError,
            [HTTPClientError.invalidURL, .emptyHost, .emptyScheme].contains(error)
        {
            return ProviderError(provider, .invalidResponse(reason: "the request URL is not usable (\(error))"))
        }
        return ProviderError(provider, .unavailable(status: nil))
    }

    /// The error a non-2xx/3xx status stands for, with the provider's message when its body has one.
    static func statusError(_ response: HTTPClientResponse, provider: ProviderName) async -> ProviderError {
        let status = Int(response.status.code)
        let body = (try? await response.body.collect(upTo: 64 << 10)) ?? ByteBuffer()
        let message = ProviderErrorBody(body)
        switch status {
        case 429 where message.code == "insufficient_quota":
            // OpenAI's spent quota: only billing fixes it, so waiting would never help.
            return ProviderError(provider, .rejected(status: status, message: message.text))
        case 429:
            return ProviderError(provider, .rateLimited(retryAfter: retryAfter(response.headers)))
        case 500...:
            return ProviderError(provider, .unavailable(status: status))
        default:
            return ProviderError(provider, .rejected(status: status, message: message.text))
        }
    }

    /// `retry-after-ms` (OpenAI's precise form) when present, else `Retry-After`.
    static func retryAfter(_ headers: HTTPHeaders) -> Duration? {
        if let text = headers.first(name: "retry-after-ms"), let milliseconds = Int64(text.trimmed),
            milliseconds >= 0
        {
            return .milliseconds(milliseconds)
        }
        return headers.first(name: "retry-after").flatMap { RetryAfter.parse($0) }
    }
}
