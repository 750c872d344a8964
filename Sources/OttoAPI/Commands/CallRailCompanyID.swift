import ArgumentParser

/// Checks `--callrail-company-id`: CallRail's ids are short tokens (`COM8154…` or digits).
enum CallRailCompanyID {
    static func validate(_ text: String) throws {
        let allowed = text.utf8.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "-")
                || byte == UInt8(ascii: "_")
        }
        guard !text.isEmpty, text.utf8.count <= 128, allowed else {
            throw ValidationError("--callrail-company-id must be 1 to 128 letters, digits, - or _")
        }
    }
}
