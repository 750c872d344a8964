import OttoSupport

/// CallRail's webhook signature: base64 of an HMAC of the raw request body under the company's
/// signing key, sent in the `signature` header. CallRail documents HMAC-SHA1; the algorithm is a
/// configuration choice (`CALLRAIL_SIGNATURE_ALGORITHM`) in case an account signs with SHA-256.
public struct CallRailSignature: Sendable {
    let signingKey: String
    let algorithm: HMACAlgorithm

    /// `signingKey` is `CALLRAIL_SIGNING_KEY`.
    public init(signingKey: String, algorithm: HMACAlgorithm = .sha1) {
        self.signingKey = signingKey
        self.algorithm = algorithm
    }

    /// The signature CallRail sends for `body`.
    public func compute(body: some Sequence<UInt8>) -> String {
        WebhookDigest.hmacBase64(algorithm, key: signingKey.utf8, message: body)
    }

    /// Whether `signature` matches `body`, compared in constant time.
    public func isValid(signature: String, body: some Sequence<UInt8>) -> Bool {
        ConstantTime.equals(compute(body: body), signature.trimmingSpaces)
    }
}

extension String {
    fileprivate var trimmingSpaces: String {
        String(self.drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed())
    }
}
