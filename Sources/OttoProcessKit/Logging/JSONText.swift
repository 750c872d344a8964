import Logging

/// Minimal JSON string encoding for log lines: fast, allocation-light,
/// always valid JSON.
public enum JSONText {
    /// `value` as a JSON string literal, quotes included.
    public static func quoted(_ value: String) -> String {
        var output = ""
        appendString(value, to: &output)
        return output
    }

    public static func appendString(_ value: String, to output: inout String) {
        output += "\""
        // Nearly every log string needs no escape: one scan of its bytes, then one append.
        guard value.utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }) else {
            output += value
            output += "\""
            return
        }
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: output.unicodeScalars.append(scalar)
            }
        }
        output += "\""
    }

    public static func appendMetadata(_ value: Logger.MetadataValue, to output: inout String) {
        switch value {
        case .string(let text):
            appendString(text, to: &output)
        case .stringConvertible(let convertible):
            let text = convertible.description
            if convertible is Int || convertible is Double || convertible is Bool || convertible is Int64
                || convertible is UInt64 || convertible is Int32
            {
                output += text
            } else {
                appendString(text, to: &output)
            }
        case .array(let values):
            output += "["
            for (index, element) in values.enumerated() {
                if index > 0 { output += "," }
                appendMetadata(element, to: &output)
            }
            output += "]"
        case .dictionary(let dictionary):
            output += "{"
            for (index, key) in dictionary.keys.sorted().enumerated() {
                if index > 0 { output += "," }
                appendString(key, to: &output)
                output += ":"
                appendMetadata(dictionary[key]!, to: &output)
            }
            output += "}"
        }
    }
}
