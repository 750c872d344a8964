import OttoSupport
import Testing

/// The one constant-time comparison (signatures, bearer tokens).
@Suite("Constant-time comparison")
struct ConstantTimeTests {
    @Test("equal bytes are equal; a difference anywhere, or another length, is not")
    func bytes() {
        let digest: [UInt8] = [0x01, 0x02, 0x03, 0x04]
        #expect(ConstantTime.equals(digest, [0x01, 0x02, 0x03, 0x04]))
        #expect(!ConstantTime.equals(digest, [0x81, 0x02, 0x03, 0x04]))
        #expect(!ConstantTime.equals(digest, [0x01, 0x02, 0x03, 0x05]))
        #expect(!ConstantTime.equals(digest, [0x01, 0x02, 0x03]))
        #expect(!ConstantTime.equals(digest, [0x01, 0x02, 0x03, 0x04, 0x00]))
        #expect(ConstantTime.equals([UInt8](), [UInt8]()))
        #expect(!ConstantTime.equals([UInt8](), [0x00]))
        // Each single-bit difference in each position is seen.
        for index in digest.indices {
            for bit in 0..<8 {
                var changed = digest
                changed[index] ^= 1 << bit
                #expect(!ConstantTime.equals(digest, changed), "byte \(index), bit \(bit)")
            }
        }
    }

    @Test("strings compare by their UTF-8 bytes")
    func strings() {
        #expect(ConstantTime.equals("s3cr3t-token", "s3cr3t-token"))
        #expect(!ConstantTime.equals("s3cr3t-token", "s3cr3t-tokem"))
        #expect(!ConstantTime.equals("s3cr3t-token", "s3cr3t-token "))
        #expect(ConstantTime.equals("", ""))
        // "é" precomposed and decomposed are equal Swift strings but different bytes.
        #expect(!ConstantTime.equals("caf\u{E9}", "cafe\u{301}"))
        #expect(ConstantTime.equals("caf\u{E9}", "caf\u{E9}"))
    }
}
