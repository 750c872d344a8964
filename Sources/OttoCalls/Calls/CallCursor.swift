import OttoPostgres

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The opaque pagination cursor of `GET /v1/calls`: base64url of the last row's sort key
/// (`coalesce(started_at, created_at)` as PostgreSQL prints it, microseconds included) and id.
public struct CallCursor: Sendable, Equatable {
    public var sortKey: String
    public var id: String

    public init(sortKey: String, id: String) {
        self.sortKey = sortKey
        self.id = id
    }

    /// The cursor as clients see it.
    public var encoded: String {
        Data((sortKey + "|" + id).utf8).base64EncodedString()
            .replacing("+", with: "-").replacing("/", with: "_").replacing("=", with: "")
    }

    /// Decodes a client's cursor; nil when it is not one Otto could have issued: at most 256
    /// characters of base64url, a UUID, and a sort key that is a timestamp as PostgreSQL prints
    /// it within the years 0001-9999 (the years calls can have), so the server is never handed
    /// text it would refuse (a 400 for the client, not a database error).
    public init?(encoded: String) {
        guard !encoded.isEmpty, encoded.utf8.count <= 256 else { return nil }
        var base64 = encoded.replacing("-", with: "+").replacing("_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        guard let data = Data(base64Encoded: base64), let text = String(validating: data, as: UTF8.self),
            let separator = text.lastIndex(of: "|")
        else { return nil }
        let id = String(text[text.index(after: separator)...])
        let key = String(text[..<separator])
        guard UUIDText.isValid(id), !key.isEmpty, key.utf8.count <= 64, let instant = PostgresTimestamp.parse(key),
            WebhookTime.isRepresentable(instant.timeIntervalSince1970)
        else { return nil }
        self.sortKey = key
        self.id = id
    }
}
