import OttoSupport
import Testing

/// SHA-1 against FIPS 180's examples and Python's hashlib at every padding boundary.
@Suite("SHA1")
struct SHA1Tests {
    @Test("FIPS 180's examples and a multi-byte UTF-8 text")
    func knownAnswers() {
        #expect(Hex.encode(SHA1.hash([UInt8]())) == "da39a3ee5e6b4b0d3255bfef95601890afd80709")
        #expect(Hex.encode(SHA1.hash("abc".utf8)) == "a9993e364706816aba3e25717850c26c9cd0d89d")
        #expect(
            Hex.encode(SHA1.hash("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
                == "84983e441c3bd26ebaae4aa1f95129e5e54670f1")
        #expect(Hex.encode(SHA1.hash("Ottö ✓".utf8)) == "f202c207b075085cd0d42a78644c57f1c503786a")
    }

    /// Lengths around the 56-byte padding limit and the 64-byte block, bytes `i * 7 % 256`;
    /// expected values from `hashlib.sha1(bytes((i * 7) % 256 for i in range(n))).hexdigest()`.
    @Test(
        "every padding boundary, against hashlib",
        arguments: [
            (55, "aecd1643c9903b9bae8cb94f53c50f8a4e18605b"), (56, "f5d65c621c02cc8e785159feff8088e3072da1bc"),
            (63, "4952f0fe097e4d6410ae9eab4855aa836caf3bff"), (64, "1e17ae1fc093e5daca033553c97a5192ca164486"),
            (65, "ac44f5dbe3e9b5d2733fc9537fcad715c3c20bc3"), (119, "b4a4e69060d0b1e7e8ebbf7041a4211c63438b57"),
            (120, "b651390c2996406336a3f6647e4b590c18cdd6f8"), (1000, "38f3aa587f4aa04965a359f9151092759b3a4c2a"),
        ])
    func boundaries(length: Int, expected: String) {
        let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 * 7) }
        #expect(SHA1.hash(bytes).count == 20)
        #expect(Hex.encode(SHA1.hash(bytes)) == expected)
    }
}
