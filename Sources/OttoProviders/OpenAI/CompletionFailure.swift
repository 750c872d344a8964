/// A completion that was answered (and billed) but gives no usable value: the model refused,
/// ran out of tokens, was stopped by the content filter, or wrote JSON that does not match the
/// schema. Never an empty analysis: the pipeline records the reason, and the tokens spent.
public struct CompletionFailure: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Reason: Sendable, Equatable {
        /// `message.refusal`, with the model's text.
        case refusal(String)
        /// `finish_reason: "length"`: the answer was cut at the token budget.
        case truncated
        /// `finish_reason: "content_filter"`.
        case contentFiltered
        /// The content is not JSON of the schema's shape (what is wrong, without the content).
        case schemaMismatch(String)
    }

    public var reason: Reason
    public var model: String
    public var usage: TokenUsage?

    public init(reason: Reason, model: String, usage: TokenUsage?) {
        self.reason = reason
        self.model = model
        self.usage = usage
    }

    public var description: String {
        switch reason {
        case .refusal: "the model (\(model)) refused to answer"
        case .truncated: "the model's (\(model)) answer was cut at the token limit (finish_reason length)"
        case .contentFiltered: "the model's (\(model)) answer was stopped by the content filter"
        case .schemaMismatch(let what): "the model's (\(model)) answer does not match the schema: \(what)"
        }
    }
}
