import ArgumentParser
import OttoSupport

#if canImport(Glibc)
    import Glibc
#endif

/// Reads a CallRail signing key from a file (`--callrail-signing-key-file PATH`, `-` for
/// stdin): a key on the command line would stay in shell history and show in `ps`.
enum SigningKeyFile {
    /// The longest key accepted; CallRail's tokens are far shorter.
    static let maximumBytes = 1024

    static func read(_ path: String) throws -> Secret {
        guard let file = path == "-" ? fdopen(dup(STDIN_FILENO), "r") : fopen(path, "r") else {
            throw ValidationError("--callrail-signing-key-file: \(path) cannot be read")
        }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = fread(&buffer, 1, buffer.count, file)
            if count == 0 { break }
            bytes += buffer[0..<count]
            guard bytes.count <= maximumBytes + 2 else {
                throw ValidationError("--callrail-signing-key-file: the key is longer than \(maximumBytes) bytes")
            }
        }
        // One trailing line break (editors add one) and surrounding spaces are not part of the key.
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw ValidationError("--callrail-signing-key-file: the key is not UTF-8 text")
        }
        let key = String(text.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
        guard !key.isEmpty else { throw ValidationError("--callrail-signing-key-file: the file is empty") }
        guard key.utf8.count <= maximumBytes else {
            throw ValidationError("--callrail-signing-key-file: the key is longer than \(maximumBytes) bytes")
        }
        guard !key.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            throw ValidationError("--callrail-signing-key-file: the key holds control characters (one key per file)")
        }
        return Secret(key)
    }
}
