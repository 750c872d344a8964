/// The request and answer of `POST /v1/chat/completions`, as much of each as Otto uses
/// (OpenAI's `CreateChatCompletionRequest` and `CreateChatCompletionResponse`).
enum ChatCompletionWire {
    struct Request: Encodable {
        var model: String
        var messages: [ChatMessage]
        var responseFormat: ResponseFormat
        var maxCompletionTokens: Int

        enum CodingKeys: String, CodingKey {
            case model, messages
            case responseFormat = "response_format"
            case maxCompletionTokens = "max_completion_tokens"
        }
    }

    struct ResponseFormat: Encodable {
        var type = "json_schema"
        var jsonSchema: NamedSchema

        enum CodingKeys: String, CodingKey {
            case type
            case jsonSchema = "json_schema"
        }
    }

    struct NamedSchema: Encodable {
        var name: String
        var strict = true
        var schema: JSONSchema
    }

    struct Response: Decodable {
        var model: String
        var choices: [Choice]
        var usage: Usage?
    }

    struct Choice: Decodable {
        var message: Message
        var finishReason: String?

        enum CodingKeys: String, CodingKey {
            case message
            case finishReason = "finish_reason"
        }
    }

    struct Message: Decodable {
        var content: String?
        var refusal: String?
    }

    struct Usage: Decodable {
        var promptTokens: Int
        var completionTokens: Int

        enum CodingKeys: String, CodingKey {
            case promptTokens = "prompt_tokens"
            case completionTokens = "completion_tokens"
        }
    }
}
