import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import OttoSupport

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Deepgram's pre-recorded transcription (`POST {base}/v1/listen`), the audio streamed from
/// wherever it is being read (a Twilio download) without touching disk.
public struct DeepgramClient: Sendable {
    /// How the parties are told apart: each on its own channel, or by diarisation.
    public enum Channels: Sendable, Equatable {
        /// One channel: `diarize=true`.
        case mono
        /// Two channels, one party each (Twilio's dual-channel recordings): `multichannel=true`.
        case dual
    }

    public let configuration: DeepgramConfiguration
    let http: ProviderHTTPClient

    public init(configuration: DeepgramConfiguration, http: ProviderHTTPClient) {
        self.configuration = configuration
        self.http = http
    }

    /// Transcribes `media` as it downloads.
    public func transcribe(_ media: RecordingMedia, channels: Channels) async throws -> Transcript {
        try await transcribe(
            media.body, container: media.container, contentLength: media.contentLength, channels: channels)
    }

    /// Transcribes `audio` (the bytes of a `container` file, `contentLength` of them when known).
    ///
    /// Throws ``ProviderError`` (Deepgram's, or the error of the audio stream itself), or
    /// `CancellationError`.
    public func transcribe<Audio: AsyncSequence & Sendable>(
        _ audio: Audio, container: AudioContainer, contentLength: Int64?, channels: Channels
    ) async throws -> Transcript where Audio.Element == ByteBuffer {
        guard let key = configuration.apiKey else {
            throw ProviderError(.deepgram, .rejected(status: 401, message: "DEEPGRAM_API_KEY is not set"))
        }
        var request = HTTPClientRequest(url: configuration.baseURL + "/v1/listen?" + query(channels))
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Token \(key.value)")
        request.headers.add(name: "Content-Type", value: container.contentType)
        request.headers.add(name: "Accept", value: "application/json")
        request.body = .stream(audio, length: contentLength.map { .known($0) } ?? .unknown)
        let (_, body) = try await http.sendReadingBody(request, to: .deepgram, timeout: configuration.requestTimeout)
        let response: DeepgramResponse
        do {
            response = try JSONDecoder().decode(DeepgramResponse.self, from: Data(body.readableBytesView))
        } catch {
            throw ProviderError(.deepgram, .invalidResponse(reason: "the body is not a transcription result"))
        }
        return try response.transcript(model: configuration.model)
    }

    /// `model`, `smart_format`, `utterances`, and multichannel or diarisation.
    func query(_ channels: Channels) -> String {
        let parties = channels == .dual ? "multichannel=true" : "diarize=true"
        return "model=\(PercentEncoding.queryValue(configuration.model))&smart_format=true&utterances=true&\(parties)"
    }
}
