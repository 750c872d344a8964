import CHiredis
import NIOCore

/// Encodes commands as RESP2 arrays of bulk strings with hiredis' `redisFormatCommandArgv`.
///
/// Arguments are copied once into one scratch allocation (on the stack when small) so a
/// single `argv` can point into it; hiredis formats into its own buffer, which is copied
/// into the outgoing `ByteBuffer` and freed at once.
enum RedisCommandEncoder {
    /// A capacity that usually fits the encoded command, to avoid regrowing the buffer.
    static func estimatedSize(of arguments: [String]) -> Int {
        var total = 16
        for argument in arguments { total &+= argument.utf8.count &+ 16 }
        return total
    }

    static func estimatedSize(of arguments: [[UInt8]]) -> Int {
        var total = 16
        for argument in arguments { total &+= argument.count &+ 16 }
        return total
    }

    /// Appends one command to `buffer`; throws `.invalidCommand` for an empty command.
    static func encode(_ arguments: [String], into buffer: inout ByteBuffer) throws(RedisError) {
        var total = 0
        for argument in arguments { total &+= argument.utf8.count }
        try encode(count: arguments.count, totalLength: total, into: &buffer) { index, destination in
            let utf8 = arguments[index].utf8
            if let copied = utf8.withContiguousStorageIfAvailable({ source -> Int in
                guard let base = source.baseAddress else { return 0 }
                destination.baseAddress!.initialize(from: base, count: source.count)
                return source.count
            }) {
                return copied
            }
            _ = destination.initialize(from: utf8)
            return utf8.count
        }
    }

    /// Appends one binary-safe command to `buffer`.
    static func encode(bytes arguments: [[UInt8]], into buffer: inout ByteBuffer) throws(RedisError) {
        var total = 0
        for argument in arguments { total &+= argument.count }
        try encode(count: arguments.count, totalLength: total, into: &buffer) { index, destination in
            arguments[index].withUnsafeBufferPointer { source in
                guard let base = source.baseAddress else { return 0 }
                destination.baseAddress!.initialize(from: base, count: source.count)
                return source.count
            }
        }
    }

    /// `copy(index, destination)` writes argument `index` at the start of `destination`
    /// (which has room for all remaining arguments) and returns its length.
    private static func encode(
        count: Int,
        totalLength: Int,
        into buffer: inout ByteBuffer,
        copy: (Int, UnsafeMutableBufferPointer<UInt8>) -> Int
    ) throws(RedisError) {
        guard count > 0, count <= Int(Int32.max) else {
            throw RedisError(code: .invalidCommand)
        }
        let formatted = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: max(totalLength, 1)) {
            storage in
            withUnsafeTemporaryAllocation(of: UnsafePointer<CChar>?.self, capacity: count) { argv in
                withUnsafeTemporaryAllocation(of: Int.self, capacity: count) { lengths in
                    let base = storage.baseAddress!
                    var offset = 0
                    for index in 0..<count {
                        let destination = UnsafeMutableBufferPointer(rebasing: storage[offset...])
                        let length = copy(index, destination)
                        argv[index] = UnsafeRawPointer(base + offset).assumingMemoryBound(to: CChar.self)
                        lengths[index] = length
                        offset += length
                    }
                    var target: UnsafeMutablePointer<CChar>?
                    let length = redisFormatCommandArgv(
                        &target, Int32(count), argv.baseAddress, lengths.baseAddress)
                    defer { redisFreeCommand(target) }
                    guard length >= 0, let target else { return false }
                    buffer.writeBytes(UnsafeRawBufferPointer(start: target, count: Int(length)))
                    return true
                }
            }
        }
        guard formatted else {
            throw RedisError(code: .invalidCommand)
        }
    }
}
