/// RFC 8259 §6's number grammar, the one check of it: `-? (0 | [1-9][0-9]*) (. [0-9]+)?
/// ([eE] [+-]? [0-9]+)?`. The flat JSON scanner reads numbers with it, and the log handler
/// decides with it whether a value's text can stand bare.
public enum JSONNumber {
    /// Where the number that starts at `start` ends (the index after it), or nil when no valid
    /// number starts there. A number is not checked against what follows it.
    public static func end(in bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        var index = start
        func isDigit(_ index: Int) -> Bool {
            index < bytes.count && bytes[index] >= UInt8(ascii: "0") && bytes[index] <= UInt8(ascii: "9")
        }
        func digits() -> Int {
            let first = index
            while isDigit(index) { index += 1 }
            return index - first
        }
        func take(_ byte: UInt8) -> Bool {
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
            return true
        }
        _ = take(UInt8(ascii: "-"))
        if take(UInt8(ascii: "0")) {
            if isDigit(index) { return nil }  // no leading zeros
        } else if digits() == 0 {
            return nil
        }
        if take(UInt8(ascii: ".")), digits() == 0 { return nil }
        if take(UInt8(ascii: "e")) || take(UInt8(ascii: "E")) {
            if !take(UInt8(ascii: "+")) { _ = take(UInt8(ascii: "-")) }
            if digits() == 0 { return nil }
        }
        return index
    }

    /// Whether all of `text` is one number.
    public static func isNumber(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { bytes in end(in: bytes, from: 0) == bytes.count }
    }
}
