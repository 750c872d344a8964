/// Phone numbers in E.164 (`+15551234567`), and their masked form for logs.
public enum PhoneNumber {
    /// The E.164 form of `text`, or nil when it is not a phone number (Twilio's `client:…` or
    /// `Anonymous`). Punctuation is ignored; a national number takes `defaultCountry`'s code
    /// (North American 10-digit numbers by default); `00` is read as an international prefix.
    public static func e164(_ text: String, defaultCountry: String = "1") -> String? {
        let trimmed = text.drop(while: { $0 == " " })
        let international = trimmed.hasPrefix("+")
        var digits = ""
        for character in trimmed {
            if character.isASCII, character.isNumber {
                digits.append(character)
            } else if !" -().+/".contains(character) {
                return nil
            }
        }
        var full: String
        if international {
            full = digits
        } else if digits.hasPrefix("00") {
            full = String(digits.dropFirst(2))
        } else if defaultCountry == "1", digits.count == 10 {
            full = "1" + digits
        } else if defaultCountry == "1", digits.count == 11, digits.hasPrefix("1") {
            full = digits
        } else if defaultCountry != "1", digits.hasPrefix("0") {
            full = defaultCountry + digits.dropFirst()
        } else {
            full = digits
        }
        guard (8...15).contains(full.count), !full.hasPrefix("0") else { return nil }
        return "+" + full
    }

    /// A number safe for logs: the first two and last four characters (`+1******4567`).
    public static func masked(_ text: String?) -> String {
        guard let text, !text.isEmpty else { return "" }
        guard text.count > 6 else { return String(repeating: "*", count: text.count) }
        return String(text.prefix(2)) + String(repeating: "*", count: text.count - 6) + String(text.suffix(4))
    }
}
