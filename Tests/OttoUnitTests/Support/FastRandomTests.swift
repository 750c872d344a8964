import Foundation
import Testing

@testable import OttoCalls
@testable import OttoCore
@testable import OttoProcessKit
@testable import OttoSupport

@Suite("FastRandom")
struct FastRandomTests {
    @Test("UUID strings are version 4, RFC 4122 variant, parse as UUIDs and do not repeat")
    func uuids() {
        var seen = Set<String>()
        for _ in 0..<10_000 {
            let text = FastRandom.uuidString()
            #expect(UUID(uuidString: text) != nil)
            #expect(text == text.lowercased())
            let characters = Array(text)
            #expect(characters[14] == "4")
            #expect("89ab".contains(characters[19]))
            seen.insert(text)
        }
        #expect(seen.count == 10_000)
    }

    @Test("hex ids have the requested length and are never all zeros")
    func hexIDs() {
        for bytes in [8, 16] {
            let values = (0..<1000).map { _ in FastRandom.hex(bytes: bytes) }
            #expect(values.allSatisfy { $0.count == bytes * 2 && $0.allSatisfy(\.isHexDigit) })
            #expect(values.allSatisfy { $0.contains { $0 != "0" } })
            #expect(Set(values).count == 1000)
        }
    }
}
