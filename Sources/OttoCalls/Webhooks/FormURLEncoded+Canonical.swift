extension FormURLEncoded {
    /// The canonical text of a form body's decoded pairs: each distinct (name, value) pair once,
    /// sorted by name and then value in code-point order (the order Twilio signs in), each
    /// component percent-encoded by ``encode(_:)`` and joined with `&`.
    ///
    /// Two bodies whose pairs differ only in order, repetition or percent-encoding (`%20`, `+`,
    /// `%41` for `A`) have the same canonical text, and Twilio's signature, which covers the
    /// sorted, de-duplicated pairs, verifies for both. `encode` escapes `&` and `=`, so the
    /// text is unambiguous.
    public static func canonical(_ pairs: [(name: String, value: String)]) -> String {
        String(decoding: canonicalBytes(pairs), as: UTF8.self)
    }

    /// ``canonical(_:)``'s UTF-8 bytes: each pair is encoded once, and that encoding is both
    /// the key that drops a repeat and the text that is joined.
    static func canonicalBytes(_ pairs: [(name: String, value: String)]) -> [UInt8] {
        var seen = Set<[UInt8]>()
        var unique: [(name: String, value: String, encoded: [UInt8])] = []
        for pair in pairs {
            // A separator that `encode` never produces keeps name and value apart in the key.
            var encoded: [UInt8] = []
            encode(pair.name, into: &encoded)
            encoded.append(UInt8(ascii: "="))
            encode(pair.value, into: &encoded)
            if seen.insert(encoded).inserted { unique.append((pair.name, pair.value, encoded)) }
        }
        unique.sort { TwilioSignature.pairOrder(($0.name, $0.value), ($1.name, $1.value)) }
        var text: [UInt8] = []
        text.reserveCapacity(unique.reduce(0) { $0 + $1.encoded.count + 1 })
        for (index, pair) in unique.enumerated() {
            if index > 0 { text.append(UInt8(ascii: "&")) }
            text.append(contentsOf: pair.encoded)
        }
        return text
    }
}
