/// Comparison whose time depends only on the inputs' lengths, never on where they first differ,
/// so a forger learns nothing from timing (signatures, bearer tokens).
public enum ConstantTime {
    /// True when `lhs` and `rhs` hold the same bytes. Unequal lengths answer false at once:
    /// callers compare values of a public length (digests, or hashes of secrets).
    public static func equals(_ lhs: some Collection<UInt8>, _ rhs: some Collection<UInt8>) -> Bool {
        guard lhs.count == rhs.count else { return false }
        var difference: UInt8 = 0
        for (left, right) in zip(lhs, rhs) { difference |= left ^ right }
        return difference == 0
    }

    /// The UTF-8 bytes of two strings, compared as above.
    public static func equals(_ lhs: String, _ rhs: String) -> Bool {
        equals(Array(lhs.utf8), Array(rhs.utf8))
    }
}
