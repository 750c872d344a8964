public enum OttoVersion { public static let current = "0.1.0" }
