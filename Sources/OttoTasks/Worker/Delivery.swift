import OttoRedis

/// One stream entry handed to this worker: where it came from and its envelope text.
struct Delivery: Sendable {
    var queue: String
    var entryID: String
    var envelope: String

    /// Parses an XREADGROUP reply (`[[stream, [[id, [field, value…]]…]]…]`).
    static func parse(_ reply: RedisValue, queueOfStream: [String: String]) -> [Delivery] {
        guard let streams = reply.array else { return [] }
        var deliveries: [Delivery] = []
        for stream in streams {
            guard let parts = stream.array, parts.count == 2, let key = parts[0].string, let queue = queueOfStream[key],
                let entries = parts[1].array
            else { continue }
            for entry in entries {
                guard let pair = entry.array, pair.count == 2, let id = pair[0].string else { continue }
                var envelope = ""
                if let fields = pair[1].array {
                    var index = 0
                    while index + 1 < fields.count {
                        if fields[index].string == "t" { envelope = fields[index + 1].string ?? "" }
                        index += 2
                    }
                }
                deliveries.append(Delivery(queue: queue, entryID: id, envelope: envelope))
            }
        }
        return deliveries
    }
}
