import OttoTasks

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The Clerk Frontend API host, decoded from the publishable key
/// (`pk_test_` or `pk_live_` followed by the base64 of `<host>$`).
enum ClerkFrontendAPI {
    static func host(publishableKey: String) -> String? {
        let encoded: Substring
        if publishableKey.hasPrefix("pk_test_") || publishableKey.hasPrefix("pk_live_") {
            encoded = publishableKey.dropFirst(8)
        } else {
            return nil
        }
        // Base64 (Clerk's keys may leave the padding out).
        var base64 = String(encoded)
        while base64.utf8.count % 4 != 0 { base64 += "=" }
        guard let bytes = Data(base64Encoded: base64), bytes.last == UInt8(ascii: "$") else { return nil }
        let host = String(decoding: bytes.dropLast(), as: UTF8.self)
        let valid =
            !host.isEmpty
            && host.utf8.allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                    || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ":")
            }
        return valid ? host : nil
    }

    /// The `iss` of the instance's session tokens: `https://<host>`.
    static func issuer(host: String) -> String { "https://" + host }

    /// `https://<host>/.well-known/jwks.json`.
    static func jwksURL(publishableKey: String) -> String? {
        host(publishableKey: publishableKey).map { "https://\($0)/.well-known/jwks.json" }
    }
}
