import Logging
import OttoSupport

/// Minimal JSON encoding for log lines, written as UTF-8 bytes into the line being built: one
/// scan of each string, whole runs copied at once, always valid JSON.
///
/// Bytes, not `String`: a worker writes one line per task and the API one per request, and
/// `String`'s `+=` costs a few hundred instructions per append (callgrind: 53,000 instructions
/// for one task-end line built with it, a third of what the worker spends on a no-op task).
public enum JSONText {
    /// `value` as a JSON string literal, quotes included.
    public static func quoted(_ value: String) -> String {
        var output: [UInt8] = []
        appendString(value, to: &output)
        return String(decoding: output, as: UTF8.self)
    }

    /// Appends `value` as a JSON string literal, quotes included.
    @inline(__always)
    public static func appendString(_ value: String, to output: inout [UInt8]) {
        JSONString.append(value, to: &output)
    }

    /// Appends ASCII text that needs no escaping (keys and punctuation the handler writes itself).
    @inline(__always)
    public static func appendRaw(_ text: StaticString, to output: inout [UInt8]) {
        output.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// Appends a metadata value: strings quoted, numbers and booleans bare,
    /// arrays and dictionaries (keys sorted) as JSON arrays and objects.
    public static func appendMetadata(_ value: Logger.MetadataValue, to output: inout [UInt8]) {
        switch value {
        case .string(let text):
            appendString(text, to: &output)
        case .stringConvertible(let convertible):
            let text = convertible.description
            if isBareJSON(text) {
                output.append(contentsOf: text.utf8)
            } else {
                appendString(text, to: &output)
            }
        case .array(let values):
            output.append(UInt8(ascii: "["))
            for (index, element) in values.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                appendMetadata(element, to: &output)
            }
            output.append(UInt8(ascii: "]"))
        case .dictionary(let dictionary):
            output.append(UInt8(ascii: "{"))
            for (index, entry) in dictionary.sorted(by: { $0.key < $1.key }).enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                appendString(entry.key, to: &output)
                output.append(UInt8(ascii: ":"))
                appendMetadata(entry.value, to: &output)
            }
            output.append(UInt8(ascii: "}"))
        }
    }

    /// Whether a description is already a JSON number (``JSONNumber``) or boolean, so that
    /// numbers stay numbers; anything else (`inf`, `nan`, `0x1F`, a UUID) is written as a string.
    /// Checked on the text, not the type: a dynamic cast of the existential costs more than this.
    static func isBareJSON(_ text: String) -> Bool {
        text == "true" || text == "false" || JSONNumber.isNumber(text)
    }
}
