import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import OttoSupport

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// OpenAI's chat completions with Structured Outputs (`response_format` `json_schema`,
/// `strict: true`): the answer is decoded into the schema's Swift type or fails.
public struct OpenAIClient: Sendable {
    public let configuration: OpenAIConfiguration
    let http: ProviderHTTPClient

    public init(configuration: OpenAIConfiguration, http: ProviderHTTPClient) {
        self.configuration = configuration
        self.http = http
    }

    /// The structured analysis of a call's transcript.
    ///
    /// Throws ``ProviderError`` for the request (429, 5xx, 4xx, an unreadable body),
    /// ``CompletionFailure`` for an answer without a usable analysis, or `CancellationError`.
    public func analyse(_ transcript: Transcript) async throws -> StructuredCompletion<CallAnalysis> {
        try await complete(
            [.init(.system, CallAnalysisPrompt.instructions), .init(.user, CallAnalysisPrompt.transcript(transcript))],
            schemaName: CallAnalysis.schemaName, schema: CallAnalysis.schema, as: CallAnalysis.self)
    }

    /// One completion whose answer must decode as `Value` under `schema`.
    public func complete<Value: Decodable & Sendable>(
        _ messages: [ChatMessage], schemaName: String, schema: JSONSchema, as type: Value.Type
    ) async throws -> StructuredCompletion<Value> {
        guard let key = configuration.apiKey else {
            throw ProviderError(.openAI, .rejected(status: 401, message: "OPENAI_API_KEY is not set"))
        }
        let payload = ChatCompletionWire.Request(
            model: configuration.model, messages: messages,
            responseFormat: .init(jsonSchema: .init(name: schemaName, schema: schema)),
            maxCompletionTokens: configuration.maximumCompletionTokens)
        var request = HTTPClientRequest(url: configuration.baseURL + "/v1/chat/completions")
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(key.value)")
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Accept", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: try JSONEncoder().encode(payload)))
        let (_, body) = try await http.sendReadingBody(request, to: .openAI, timeout: configuration.requestTimeout)
        let response: ChatCompletionWire.Response
        do {
            response = try JSONDecoder().decode(ChatCompletionWire.Response.self, from: Data(body.readableBytesView))
        } catch {
            throw ProviderError(.openAI, .invalidResponse(reason: "the body is not a chat completion"))
        }
        return try Self.value(of: response, as: type)
    }

    /// The first choice's content decoded as `Value`, or the reason it cannot be.
    static func value<Value: Decodable & Sendable>(
        of response: ChatCompletionWire.Response, as type: Value.Type
    ) throws -> StructuredCompletion<Value> {
        guard let usage = response.usage else {
            throw ProviderError(.openAI, .invalidResponse(reason: "the completion has no usage"))
        }
        let tokens = TokenUsage(promptTokens: usage.promptTokens, completionTokens: usage.completionTokens)
        func failure(_ reason: CompletionFailure.Reason) -> CompletionFailure {
            CompletionFailure(reason: reason, model: response.model, usage: tokens)
        }
        guard let choice = response.choices.first else {
            throw ProviderError(.openAI, .invalidResponse(reason: "the completion has no choices"))
        }
        if let refusal = choice.message.refusal { throw failure(.refusal(ProviderErrorBody.clean(refusal))) }
        switch choice.finishReason {
        case "length": throw failure(.truncated)
        case "content_filter": throw failure(.contentFiltered)
        default: break
        }
        guard let content = choice.message.content else { throw failure(.schemaMismatch("the content is null")) }
        do {
            let value = try JSONDecoder().decode(Value.self, from: Data(content.utf8))
            return StructuredCompletion(value: value, model: response.model, usage: tokens)
        } catch let error as DecodingError {
            throw failure(.schemaMismatch(Self.describe(error)))
        } catch {
            throw failure(.schemaMismatch("the content is not JSON"))
        }
    }

    /// What a decoding error says is wrong, by path (the content itself stays out of logs).
    static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let names = context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }
            return names.isEmpty ? "the document" : names.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context):
            let parent = path(context)
            return parent == "the document"
                ? "\(key.stringValue) is missing" : "\(parent).\(key.stringValue) is missing"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "\(path(context)) has the wrong type"
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty ? "the content is not JSON" : "\(path(context)) is not allowed"
        @unknown default:
            return "it does not decode"
        }
    }
}
