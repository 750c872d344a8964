extension WebhookDigest {
    /// The de-duplication digest of a form-encoded delivery: hex SHA-256 of its canonical pairs
    /// (``FormURLEncoded/canonical(_:)``), so a re-sent delivery with its parameters reordered,
    /// repeated or encoded differently is recognised as the same one.
    public static func canonicalSHA256(form pairs: [(name: String, value: String)]) -> String {
        sha256Hex(Array("form:".utf8) + FormURLEncoded.canonicalBytes(pairs))
    }

    /// The de-duplication digest of a JSON delivery: hex SHA-256 of its canonical text
    /// (``JSONDocument/canonical``), so key order, whitespace and escapes do not matter.
    public static func canonicalSHA256(json document: JSONDocument) -> String {
        sha256Hex(Array("json:".utf8) + document.canonical)
    }
}
