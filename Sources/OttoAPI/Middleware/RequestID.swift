import OttoCalls
import OttoSupport

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// X-Request-ID rules: keep a well-formed incoming id, otherwise make one.
enum RequestID {
    /// 1 to 128 characters from `[A-Za-z0-9._-]`.
    static func isValid(_ value: String) -> Bool {
        let bytes = value.utf8
        guard !bytes.isEmpty, bytes.count <= 128 else { return false }
        return bytes.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == 0x2E || byte == 0x5F || byte == 0x2D
        }
    }

    /// A fresh random id.
    static func make() -> String {
        FastRandom.uuidString()
    }
}
