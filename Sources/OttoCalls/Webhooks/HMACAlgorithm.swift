/// The HMAC hash a provider signs with (`CALLRAIL_SIGNATURE_ALGORITHM`).
public enum HMACAlgorithm: String, Sendable, CaseIterable {
    case sha1
    case sha256
}
