/// The version every Otto process reports (health, heartbeats, the start line).
public enum OttoVersion { public static let current = "0.1.0" }
