/// Checks UUID text without Foundation (ids in paths and task arguments).
public enum UUIDText {
    /// Whether `text` is a UUID in the 8-4-4-4-12 hexadecimal form.
    public static func isValid(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 36 else { return false }
        for (index, byte) in bytes.enumerated() {
            if [8, 13, 18, 23].contains(index) {
                guard byte == UInt8(ascii: "-") else { return false }
            } else {
                guard Character(Unicode.Scalar(byte)).isHexDigit else { return false }
            }
        }
        return true
    }
}
