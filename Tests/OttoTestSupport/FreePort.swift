import Foundation

/// Ports for servers that tests start: below Linux's ephemeral range (32768-60999), so no
/// client socket can take one first, and free when picked (a bind on it succeeded).
public enum FreePort {
    /// The range tests draw from: above the well-known and common registered ports, below the
    /// ephemeral range, and away from the private services' defaults (2x432, 2x379, 2x390).
    public static let range = 20_000..<32_000

    /// A port of `range` that nothing listens on right now.
    public static func pick() -> Int {
        while true {
            let port = Int.random(in: range)
            if isFree(port) { return port }
        }
    }

    /// Whether a TCP socket can bind 127.0.0.1:`port`.
    public static func isFree(_ port: Int) -> Bool {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        return bound == 0
    }
}
