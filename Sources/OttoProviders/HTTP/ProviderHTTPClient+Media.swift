import AsyncHTTPClient
import NIOCore
import NIOHTTP1

extension ProviderHTTPClient {
    /// The most redirects a media download follows (Twilio: one, to its CDN; CallRail: one, to
    /// storage).
    static let maximumRedirects = 5

    /// Starts downloading the audio at `url`: follows redirects itself, dropping `headers`'
    /// `Authorization` at the first hop (storage URLs are pre-signed, and account credentials
    /// must not reach them), and answers once the 200's head has arrived.
    func fetchMedia(
        _ url: String, headers: HTTPHeaders, provider: ProviderName, timeout: Duration
    ) async throws -> RecordingMedia {
        var url = url
        var headers = headers
        for _ in 0...Self.maximumRedirects {
            var request = HTTPClientRequest(url: url)
            request.method = .GET
            request.headers = headers
            let response = try await send(request, to: provider, timeout: timeout)
            guard (300..<400).contains(response.status.code) else {
                return try media(response, provider: provider)
            }
            _ = try? await response.body.collect(upTo: 64 << 10)
            guard let location = response.headers.first(name: "Location"),
                let next = Self.resolve(location, against: url)
            else {
                throw ProviderError(
                    provider, .invalidResponse(reason: "HTTP \(response.status.code) without a usable Location"))
            }
            url = next
            headers.remove(name: "Authorization")
        }
        throw ProviderError(provider, .invalidResponse(reason: "more than \(Self.maximumRedirects) redirects"))
    }

    private func media(_ response: HTTPClientResponse, provider: ProviderName) throws -> RecordingMedia {
        guard response.status == .ok else {
            throw ProviderError(
                provider, .invalidResponse(reason: "HTTP \(response.status.code) where 200 was expected"))
        }
        let type = response.headers.first(name: "Content-Type") ?? ""
        guard let container = AudioContainer(contentType: type) else {
            throw ProviderError(provider, .invalidResponse(reason: "the media's Content-Type is not WAV or MP3 audio"))
        }
        let length = response.headers.first(name: "Content-Length").flatMap { Int64($0) }
        return RecordingMedia(
            container: container, contentLength: length,
            body: MediaStream(body: response.body, provider: provider, container: container))
    }

    /// An absolute Location as it is; a path-absolute one on the current origin; nil otherwise.
    static func resolve(_ location: String, against url: String) -> String? {
        if location.hasPrefix("https://") || location.hasPrefix("http://") { return location }
        guard location.hasPrefix("/"), !location.hasPrefix("//") else { return nil }
        let scheme = url.hasPrefix("https://") ? "https://" : url.hasPrefix("http://") ? "http://" : nil
        guard let scheme else { return nil }
        let afterScheme = url.dropFirst(scheme.count)
        let host = afterScheme.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        return scheme + host + location
    }
}
