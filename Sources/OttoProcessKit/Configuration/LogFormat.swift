/// `LOG_FORMAT`: JSON lines for machines, text for a developer's terminal.
public enum LogFormat: String, Sendable {
    case json
    case text
}
