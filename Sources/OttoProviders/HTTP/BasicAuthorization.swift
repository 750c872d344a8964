/// An HTTP Basic `Authorization` value (RFC 7617), base64 without Foundation.
enum BasicAuthorization {
    static func value(user: String, password: String) -> String {
        "Basic " + base64(Array("\(user):\(password)".utf8))
    }

    static func base64(_ bytes: [UInt8]) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
        var out = ""
        var index = 0
        while index < bytes.count {
            let chunk = bytes[index..<min(index + 3, bytes.count)]
            let b0 = Int(chunk[chunk.startIndex])
            let b1 = chunk.count > 1 ? Int(chunk[chunk.startIndex + 1]) : 0
            let b2 = chunk.count > 2 ? Int(chunk[chunk.startIndex + 2]) : 0
            out.append(alphabet[b0 >> 2])
            out.append(alphabet[((b0 & 0x03) << 4) | (b1 >> 4)])
            out.append(chunk.count > 1 ? alphabet[((b1 & 0x0F) << 2) | (b2 >> 6)] : "=")
            out.append(chunk.count > 2 ? alphabet[b2 & 0x3F] : "=")
            index += 3
        }
        return out
    }
}
