/// One message of a chat completion request.
public struct ChatMessage: Sendable, Equatable, Encodable {
    public enum Role: String, Sendable, Equatable, Encodable {
        case developer, system, user, assistant
    }

    public var role: Role
    public var content: String

    public init(_ role: Role, _ content: String) {
        self.role = role
        self.content = content
    }
}
