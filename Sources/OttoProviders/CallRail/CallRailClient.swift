import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import OttoSupport

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// CallRail's API v3: where a call's recording is, and its MP3 as a stream.
public struct CallRailClient: Sendable {
    public let configuration: CallRailConfiguration
    let http: ProviderHTTPClient

    public init(configuration: CallRailConfiguration, http: ProviderHTTPClient) {
        self.configuration = configuration
        self.http = http
    }

    /// The recording's URL (`GET /v3/a/{account}/calls/{call}/recording.json`): a CallRail link
    /// that redirects to the MP3, or for HIPAA accounts a temporary storage URL (not to be stored).
    public func recordingURL(accountID: String, callID: String) async throws -> String {
        var request = try request(
            path: "/v3/a/\(try Self.segment(accountID))/calls/\(try Self.segment(callID))/recording.json")
        request.method = .GET
        let (_, body) = try await http.sendReadingBody(
            request, to: .callRail, timeout: configuration.requestTimeout, limit: 1 << 20)
        struct Answer: Decodable { var url: String }
        guard let answer = try? JSONDecoder().decode(Answer.self, from: Data(body.readableBytesView)),
            answer.url.hasPrefix("https://") || answer.url.hasPrefix("http://")
        else {
            throw ProviderError(.callRail, .invalidResponse(reason: "the body is not a recording object with a URL"))
        }
        return answer.url
    }

    /// Starts the download of a call's recording: its URL from the API, then the MP3 through
    /// CallRail's redirect, without the API key (the recording links carry their own access key).
    public func fetchRecording(accountID: String, callID: String) async throws -> RecordingMedia {
        let url = try await recordingURL(accountID: accountID, callID: callID)
        var headers = HTTPHeaders()
        headers.add(name: "Accept", value: AudioContainer.mp3.contentType)
        return try await http.fetchMedia(
            url, headers: headers, provider: .callRail, timeout: configuration.requestTimeout)
    }

    private func request(path: String) throws -> HTTPClientRequest {
        guard let key = configuration.apiKey else {
            throw ProviderError(.callRail, .rejected(status: 401, message: "CALLRAIL_API_KEY is not set"))
        }
        var request = HTTPClientRequest(url: configuration.baseURL + path)
        request.headers.add(name: "Authorization", value: "Token token=\"\(key.value)\"")
        request.headers.add(name: "Accept", value: "application/json")
        return request
    }

    /// An id as a path segment: CallRail's ids are letters and digits; anything else would
    /// change the path.
    static func segment(_ id: String) throws -> String {
        guard !id.isEmpty, id.count <= 128, id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
            throw ProviderError(.callRail, .invalidResponse(reason: "a CallRail id is letters and digits"))
        }
        return id
    }
}
