import OttoSupport

#if canImport(Glibc)
    import Glibc
#endif

/// Twilio's request signature (`X-Twilio-Signature`), as Twilio's documentation and its helper
/// libraries compute it: base64 of HMAC-SHA1 under the auth token, over the full URL Twilio
/// called followed by every POST parameter sorted by name, each as name + value.
///
/// For JSON bodies Twilio adds a `bodySHA256` query parameter (hex SHA-256 of the raw body) and
/// signs the URL alone. Twilio's libraries accept the URL with or without its default port, so
/// this does too.
public struct TwilioSignature: Sendable {
    let authToken: String

    /// `authToken` is `TWILIO_AUTH_TOKEN`.
    public init(authToken: String) {
        self.authToken = authToken
    }

    /// The signature of a form POST to `url` with `parameters` (repeated names allowed).
    public func compute(url: String, parameters: [(name: String, value: String)]) -> String {
        sign(url: url, signedParameters: Self.signedParameters(parameters))
    }

    /// Whether `signature` is valid for a form-encoded POST.
    public func isValid(signature: String, url: String, parameters: [(name: String, value: String)]) -> Bool {
        // The parameters' part of the message is the same for every URL variant: built once.
        let signedParameters = Self.signedParameters(parameters)
        var valid = false
        // Every candidate is computed and compared, so timing does not reveal which one matched.
        for candidate in Self.urlVariants(url) {
            valid =
                ConstantTime.equals(sign(url: candidate, signedParameters: signedParameters), signature) || valid
        }
        return valid
    }

    /// Every POST parameter sorted by name, each as name + value (a name's values sorted too).
    static func signedParameters(_ parameters: [(name: String, value: String)]) -> [UInt8] {
        // ASCII text (what Twilio sends) is equal exactly when its bytes are: sorting the pairs
        // by name and value and dropping adjacent repeats gives the grouped, de-duplicated order
        // without a dictionary of sets. Other text keeps `String`'s equality (canonical
        // equivalence) through the dictionary below.
        if parameters.allSatisfy({ $0.name.utf8.allSatisfy { $0 < 0x80 } && $0.value.utf8.allSatisfy { $0 < 0x80 } }) {
            let sorted = parameters.sorted(by: pairOrder)
            var message: [UInt8] = []
            var previous: (name: String, value: String)?
            for parameter in sorted {
                if let previous, previous.name == parameter.name, previous.value == parameter.value { continue }
                message.append(contentsOf: parameter.name.utf8)
                message.append(contentsOf: parameter.value.utf8)
                previous = parameter
            }
            return message
        }
        var grouped: [String: Set<String>] = [:]
        for parameter in parameters { grouped[parameter.name, default: []].insert(parameter.value) }
        var message: [UInt8] = []
        // Sorted by code point, as Twilio's libraries sort (Python's sorted, Java's TreeMap).
        for name in grouped.keys.sorted(by: Self.codePointOrder) {
            for value in grouped[name]!.sorted(by: Self.codePointOrder) {
                message.append(contentsOf: name.utf8)
                message.append(contentsOf: value.utf8)
            }
        }
        return message
    }

    private func sign(url: String, signedParameters: [UInt8]) -> String {
        var message = Array(url.utf8)
        message.append(contentsOf: signedParameters)
        return WebhookDigest.hmacBase64(.sha1, key: authToken.utf8, message: message)
    }

    /// Whether `signature` is valid for a JSON POST: the URL's `bodySHA256` must equal the body's
    /// hash and the signature covers the URL alone.
    public func isValid(signature: String, url: String, jsonBody: some Sequence<UInt8>) -> Bool {
        guard let query = url.split(separator: "?", maxSplits: 1).dropFirst().first,
            let pairs = try? FormURLEncoded.parse(String(query.split(separator: "#").first ?? "")),
            let claimed = pairs.first(where: { $0.name == "bodySHA256" })?.value
        else { return false }
        let bodyMatches = ConstantTime.equals(WebhookDigest.sha256Hex(jsonBody), claimed.lowercased())
        let signatureMatches = isValid(signature: signature, url: url, parameters: [])
        return bodyMatches && signatureMatches
    }

    /// The URL as given, plus the same URL with its default port added or removed.
    static func urlVariants(_ url: String) -> [String] {
        let scheme: String
        let defaultPort: String
        if url.hasPrefix("https://") {
            (scheme, defaultPort) = ("https://", "443")
        } else if url.hasPrefix("http://") {
            (scheme, defaultPort) = ("http://", "80")
        } else {
            return [url]
        }
        let rest = url.dropFirst(scheme.count)
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        let tail = rest[authorityEnd...]
        // Split at the last `@` by index: the authority comes from the request's Host header
        // when PUBLIC_BASE_URL is unset, so it can be any text (`@`, `@@`, `a@`, empty).
        let userInfo: String
        let hostPart: String
        if let at = authority.lastIndex(of: "@") {
            userInfo = String(authority[...at])
            hostPart = String(authority[authority.index(after: at)...])
        } else {
            userInfo = ""
            hostPart = String(authority)
        }
        if hostPart.hasSuffix(":" + defaultPort) {
            return [url, scheme + userInfo + String(hostPart.dropLast(defaultPort.count + 1)) + tail]
        }
        if hostPart.contains(":") && !hostPart.hasSuffix("]") {
            return [url]  // a non-default port: only the URL as given
        }
        return [url, scheme + userInfo + hostPart + ":" + defaultPort + tail]
    }

    /// Pairs by name, then value, each in code-point order: the order Twilio signs in, and the
    /// canonical form's (``FormURLEncoded/canonical(_:)``).
    static func pairOrder(_ left: (name: String, value: String), _ right: (name: String, value: String)) -> Bool {
        left.name != right.name ? codePointOrder(left.name, right.name) : codePointOrder(left.value, right.value)
    }

    /// Code-point order, compared on UTF-8 bytes: UTF-8's byte order is code-point order.
    static func codePointOrder(_ lhs: String, _ rhs: String) -> Bool {
        var lhs = lhs
        var rhs = rhs
        return lhs.withUTF8 { left in
            rhs.withUTF8 { right in
                let common = min(left.count, right.count)
                if common > 0 {
                    let order = memcmp(left.baseAddress!, right.baseAddress!, common)
                    if order != 0 { return order < 0 }
                }
                return left.count < right.count
            }
        }
    }
}
