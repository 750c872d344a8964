import OttoTasks

/// The three Fly process groups; each validates only the variables it uses.
public enum OttoProcess: String, Sendable {
    case api
    case worker
    case beat

    /// The service name reported by health endpoints and logs.
    public var serviceName: String { "otto-\(rawValue)" }
}
