import OttoSupport
import Testing

/// The one hex encoder and digit reader.
@Suite("Hex")
struct HexTests {
    @Test("bytes encode as two lowercase digits each, high nibble first")
    func encode() {
        #expect(Hex.encode([UInt8]()) == "")
        #expect(Hex.encode([0x00]) == "00")
        #expect(Hex.encode([0x00, 0x0F, 0xF0, 0xFF, 0xA5, 0x5A]) == "000ff0ffa55a")
        #expect(Hex.encode(Array("Otto".utf8)) == "4f74746f")
        // Every byte value, against the standard library's own formatting.
        let all = (0...255).map { UInt8($0) }
        let expected = all.map { $0 < 16 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
        #expect(Hex.encode(all) == expected)
    }

    @Test("append adds to what the buffer already holds")
    func append() {
        var text = Array("x=".utf8)
        Hex.append([0xDE, 0xAD], to: &text)
        #expect(String(decoding: text, as: UTF8.self) == "x=dead")
    }

    @Test("a digit's value in either case; every other byte is not a digit")
    func valueOfDigit() {
        let values: [Character: UInt8] = [
            "0": 0, "1": 1, "2": 2, "3": 3, "4": 4, "5": 5, "6": 6, "7": 7, "8": 8, "9": 9, "a": 10, "b": 11,
            "c": 12, "d": 13, "e": 14, "f": 15, "A": 10, "B": 11, "C": 12, "D": 13, "E": 14, "F": 15,
        ]
        for byte in UInt8.min...UInt8.max {
            let expected = values[Character(Unicode.Scalar(byte))]
            #expect(Hex.value(ofDigit: byte) == expected, "byte \(byte)")
        }
    }
}
