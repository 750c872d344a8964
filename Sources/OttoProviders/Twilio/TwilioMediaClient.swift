import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import OttoSupport

/// Downloads Twilio call recordings (the `RecordingUrl` of a recording status callback) as a
/// stream, with HTTP Basic `AccountSid:AuthToken` for accounts that enforce media auth.
public struct TwilioMediaClient: Sendable {
    public let configuration: TwilioMediaConfiguration
    let http: ProviderHTTPClient

    public init(configuration: TwilioMediaConfiguration, http: ProviderHTTPClient) {
        self.configuration = configuration
        self.http = http
    }

    /// Starts the download of the recording at `recordingURL` in `container` (WAV by default:
    /// Twilio's native format, `RecordingUrl.wav`), following Twilio's redirect to its
    /// short-lived media URL without the credentials.
    ///
    /// The credentials go only to a URL of the configured account's recordings (a callback
    /// for another account, or a URL elsewhere, is refused before anything is sent).
    public func fetchRecording(_ recordingURL: String, as container: AudioContainer = .wav) async throws
        -> RecordingMedia
    {
        guard let url = Self.mediaURL(recordingURL, container: container) else {
            throw ProviderError(.twilio, .invalidResponse(reason: "the RecordingUrl is not a Twilio recording URL"))
        }
        var headers = HTTPHeaders()
        headers.add(name: "Accept", value: container.contentType)
        if let account = configuration.accountSID, let token = configuration.authToken {
            guard url.contains("/Accounts/\(account)/Recordings/") else {
                throw ProviderError(
                    .twilio, .invalidResponse(reason: "the RecordingUrl is not a recording of the configured account"))
            }
            headers.add(name: "Authorization", value: BasicAuthorization.value(user: account, password: token.value))
        }
        return try await http.fetchMedia(
            url, headers: headers, provider: .twilio, timeout: configuration.requestTimeout)
    }

    /// `RecordingUrl` with the container's extension (the callback's URL has none), or nil
    /// when it is not an http(s) recording URL.
    public static func mediaURL(_ recordingURL: String, container: AudioContainer) -> String? {
        var url = recordingURL.trimmed
        guard url.hasPrefix("https://") || url.hasPrefix("http://"), !url.contains("?"), !url.contains("#"),
            url.contains("/Recordings/RE")
        else { return nil }
        while url.hasSuffix("/") { url.removeLast() }
        for known in [".wav", ".mp3", ".json"] where url.hasSuffix(known) {
            url.removeLast(known.count)
        }
        return url + "." + container.rawValue
    }
}
