import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

#if canImport(Glibc)
    private let streamSocket = Int32(SOCK_STREAM.rawValue)
#else
    private let streamSocket = SOCK_STREAM
#endif

/// Closes a descriptor (a free function, so it is not shadowed by a type's own `close()`).
private func closeDescriptor(_ descriptor: Int32) {
    _ = close(descriptor)
}

/// A TCP server on loopback that accepts connections and never sends a byte: a hung database.
final class SilentTCPListener: Sendable {
    let port: Int
    private let descriptor: Int32
    private let accepted = Mutex<[Int32]>([])

    init() throws {
        let descriptor = socket(AF_INET, streamSocket, 0)
        guard descriptor >= 0 else { throw POSIXError(.EMFILE) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let listening = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                bind(descriptor, address, length) == 0 && getsockname(descriptor, address, &length) == 0
                    && listen(descriptor, 16) == 0
            }
        }
        guard listening else {
            closeDescriptor(descriptor)
            throw POSIXError(.EADDRINUSE)
        }
        self.descriptor = descriptor
        self.port = Int(UInt16(bigEndian: address.sin_port))
        let thread = Thread { [self] in acceptForever() }
        thread.start()
    }

    private func acceptForever() {
        while true {
            let client = accept(descriptor, nil, nil)
            guard client >= 0 else { return }  // the listening socket was shut down
            accepted.withLock { $0.append(client) }
        }
    }

    /// Stops accepting and closes every accepted connection.
    func close() {
        _ = shutdown(descriptor, Int32(SHUT_RDWR))
        closeDescriptor(descriptor)
        for client in accepted.withLock({ $0 }) { closeDescriptor(client) }
    }
}
