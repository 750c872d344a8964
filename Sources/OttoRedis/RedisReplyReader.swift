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

    /// The most elements one array reply may declare; a larger header is a protocol error.
    ///
    /// hiredis 0.14 allocates an array's element table as soon as its header arrives and walks
    /// the whole table when the reply (or the reader, on disconnect) is freed, with no limit of
    /// its own: 14 bytes (`*2147483647\r\n`) from a broken or hostile server cost 16 GiB of
    /// address space and tens of seconds of CPU on the event loop. Otto's largest replies (stream
    /// ranges, fleet snapshots) are far below a million elements.
    static let maximumArrayElements: Int32 = 1 << 20

    init() {
        reader = redisReaderCreateWithFunctions(BoundedReplyFunctions.table)
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

/// hiredis' own reply constructors with one change: `createArray` refuses more than
/// `RedisReplyReader.maximumArrayElements` elements (hiredis then reports an error, which the
/// reader turns into `.protocolError`).
private enum BoundedReplyFunctions {
    /// hiredis' default functions, read from a reader it made (they are not exported by name).
    static let defaults: redisReplyObjectFunctions = {
        guard let reader = redisReaderCreate() else { fatalError("hiredis could not allocate a reader") }
        defer { redisReaderFree(reader) }
        return reader.pointee.fn.pointee
    }()

    /// The table every `RedisReplyReader` uses; allocated once, never freed and never written
    /// after this initialiser (hence `nonisolated(unsafe)` on a pointer).
    nonisolated(unsafe) static let table: UnsafeMutablePointer<redisReplyObjectFunctions> = {
        var functions = defaults
        functions.createArray = { task, elements in
            guard elements <= RedisReplyReader.maximumArrayElements,
                let create = BoundedReplyFunctions.defaults.createArray
            else { return nil }
            return create(task, elements)
        }
        let table = UnsafeMutablePointer<redisReplyObjectFunctions>.allocate(capacity: 1)
        table.initialize(to: functions)
        return table
    }()
}
