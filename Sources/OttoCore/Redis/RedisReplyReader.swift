import CHiredis

/// Owns one hiredis `redisReader` and turns its `redisReply` trees into `RedisValue`s.
///
/// Non-copyable so the C reader has exactly one owner and is freed exactly once. It is
/// not `Sendable`: it lives inside `RedisChannelHandler`, which only its event loop uses.
struct RedisReplyReader: ~Copyable {
    enum Next {
        case reply(RedisValue)
        case needMoreData
        case protocolError
    }

    private let reader: UnsafeMutablePointer<redisReader>?

    init() {
        reader = redisReaderCreate()
    }

    deinit {
        if let reader { redisReaderFree(reader) }
    }

    /// Appends received bytes to hiredis' buffer; false when hiredis refused them.
    func feed(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard let reader else { return false }
        guard let base = bytes.baseAddress, bytes.count > 0 else { return true }
        return redisReaderFeed(reader, base.assumingMemoryBound(to: CChar.self), bytes.count)
            == REDIS_OK
    }

    /// The next complete reply, if the buffer holds one.
    func next() -> Next {
        guard let reader else { return .protocolError }
        var raw: UnsafeMutableRawPointer?
        guard redisReaderGetReply(reader, &raw) == REDIS_OK else { return .protocolError }
        guard let raw else { return .needMoreData }
        defer { freeReplyObject(raw) }
        guard let value = Self.convert(UnsafePointer(raw.assumingMemoryBound(to: redisReply.self)))
        else {
            return .protocolError
        }
        return .reply(value)
    }

    /// Copies a reply tree out of C memory (hiredis limits nesting, so recursion is bounded).
    private static func convert(_ pointer: UnsafePointer<redisReply>) -> RedisValue? {
        let reply = pointer.pointee
        switch reply.type {
        case REDIS_REPLY_STRING:
            return .bulkString(Array(UnsafeRawBufferPointer(start: reply.str, count: reply.len)))
        case REDIS_REPLY_STATUS:
            return .simpleString(
                String(decoding: UnsafeRawBufferPointer(start: reply.str, count: reply.len), as: UTF8.self))
        case REDIS_REPLY_ERROR:
            return .error(
                String(decoding: UnsafeRawBufferPointer(start: reply.str, count: reply.len), as: UTF8.self))
        case REDIS_REPLY_INTEGER:
            return .integer(Int64(reply.integer))
        case REDIS_REPLY_NIL:
            return .null
        case REDIS_REPLY_ARRAY:
            var elements: [RedisValue] = []
            elements.reserveCapacity(reply.elements)
            for index in 0..<reply.elements {
                guard let child = reply.element?[index], let value = convert(child) else { return nil }
                elements.append(value)
            }
            return .array(elements)
        default:
            return nil
        }
    }
}
