import Crypto
import OttoSupport

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Hashing, HMAC and comparison helpers shared by the providers' signature checks.
public enum WebhookDigest {
    /// Lowercase hex SHA-256 of `bytes` (the body hash that de-duplicates deliveries).
    public static func sha256Hex(_ bytes: some Sequence<UInt8>) -> String {
        Hex.encode(SHA256.hash(data: Array(bytes)))
    }

    /// Base64 of HMAC-SHA1 or HMAC-SHA256 of `message` under `key`.
    public static func hmacBase64(
        _ algorithm: HMACAlgorithm, key: some Sequence<UInt8>, message: some Sequence<UInt8>
    ) -> String {
        let symmetricKey = SymmetricKey(data: Array(key))
        let data = Array(message)
        switch algorithm {
        case .sha1:
            return Data(HMAC<Insecure.SHA1>.authenticationCode(for: data, using: symmetricKey)).base64EncodedString()
        case .sha256:
            return Data(HMAC<SHA256>.authenticationCode(for: data, using: symmetricKey)).base64EncodedString()
        }
    }

}
