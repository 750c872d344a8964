import OttoTasks

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A worker's id: host, pid and a random suffix, unique across restarts.
public enum WorkerIdentity {
    public static func make() -> String {
        let suffix = UUID().uuidString.prefix(8).lowercased()
        return "\(HostInfo.hostName)-\(HostInfo.processID)-\(suffix)"
    }
}
