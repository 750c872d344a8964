/// A completion's decoded answer, with the model that wrote it (the response's `model`: the
/// dated snapshot, which is what to store) and the tokens it cost.
public struct StructuredCompletion<Value: Sendable>: Sendable {
    public var value: Value
    public var model: String
    public var usage: TokenUsage
}

extension StructuredCompletion: Equatable where Value: Equatable {}
