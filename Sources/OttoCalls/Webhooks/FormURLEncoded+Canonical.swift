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
        var seen = Set<String>()
        var unique: [(name: String, value: String)] = []
        for pair in pairs {
            // A separator that `encode` never produces keeps name and value apart in the key.
            let key = encode(pair.name) + "=" + encode(pair.value)
            if seen.insert(key).inserted { unique.append(pair) }
        }
        unique.sort { left, right in
            if left.name != right.name { return TwilioSignature.codePointOrder(left.name, right.name) }
            return TwilioSignature.codePointOrder(left.value, right.value)
        }
        return unique.map { encode($0.name) + "=" + encode($0.value) }.joined(separator: "&")
    }
}
