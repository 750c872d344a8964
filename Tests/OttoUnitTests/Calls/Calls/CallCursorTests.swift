import OttoCalls
import Testing

/// The opaque cursor of `GET /v1/calls`: base64url (no padding) of `<sort key>|<id>`, and the
/// cursors a client can send that Otto could not have issued. Encoded forms were computed apart
/// from Otto (Python's `base64.urlsafe_b64encode(...).rstrip("=")`).
@Suite("Call cursor")
struct CallCursorTests {
    static let id = "0b6d1f4e-8c2a-4a1b-9d3e-5f6a7b8c9d0e"
    static let cursor = CallCursor(sortKey: "2024-05-01 12:00:00.123456+00", id: id)
    static let encoded = "MjAyNC0wNS0wMSAxMjowMDowMC4xMjM0NTYrMDB8MGI2ZDFmNGUtOGMyYS00YTFiLTlkM2UtNWY2YTdiOGM5ZDBl"

    @Test("a cursor encodes to base64url of its sort key and id, and decodes back")
    func roundTrip() throws {
        #expect(Self.cursor.encoded == Self.encoded)
        let decoded = try #require(CallCursor(encoded: Self.encoded))
        #expect(decoded == Self.cursor)
        #expect(decoded.sortKey == "2024-05-01 12:00:00.123456+00")
        #expect(decoded.id == Self.id)
    }

    @Test("an id in capitals is still a UUID")
    func capitalID() {
        let text = "MjAyNC0wNS0wMSAxMjowMDowMCswMHwwQjZEMUY0RS04QzJBLTRBMUItOUQzRS01RjZBN0I4QzlEMEU"
        #expect(
            CallCursor(encoded: text)
                == CallCursor(sortKey: "2024-05-01 12:00:00+00", id: "0B6D1F4E-8C2A-4A1B-9D3E-5F6A7B8C9D0E"))
    }

    @Test(
        "cursors Otto could not have issued are refused",
        arguments: [
            // empty; not base64
            "", "not a cursor", "!!!!",
            // "2024-05-01 12:00:00+00 <id>": no separator
            "MjAyNC0wNS0wMSAxMjowMDowMCswMCAwYjZkMWY0ZS04YzJhLTRhMWItOWQzZS01ZjZhN2I4YzlkMGU",
            // "2024-05-01 12:00:00+00|not-a-uuid"
            "MjAyNC0wNS0wMSAxMjowMDowMCswMHxub3QtYS11dWlk",
            // "yesterday|<id>": the sort key is not a timestamp
            "eWVzdGVyZGF5fDBiNmQxZjRlLThjMmEtNGExYi05ZDNlLTVmNmE3YjhjOWQwZQ",
            // "|<id>": no sort key
            "fDBiNmQxZjRlLThjMmEtNGExYi05ZDNlLTVmNmE3YjhjOWQwZQ",
            // "10000-01-01 00:00:00+00|<id>" and "0000-12-31 23:59:59+00|<id>": outside 0001-9999
            "MTAwMDAtMDEtMDEgMDA6MDA6MDArMDB8MGI2ZDFmNGUtOGMyYS00YTFiLTlkM2UtNWY2YTdiOGM5ZDBl",
            "MDAwMC0xMi0zMSAyMzo1OTo1OSswMHwwYjZkMWY0ZS04YzJhLTRhMWItOWQzZS01ZjZhN2I4YzlkMGU",
            // bytes FF FE, "2024|<id>": not UTF-8
            "__4yMDI0fDBiNmQxZjRlLThjMmEtNGExYi05ZDNlLTVmNmE3YjhjOWQwZQ",
        ])
    func refused(text: String) {
        #expect(CallCursor(encoded: text) == nil)
    }

    @Test("a truncated cursor is refused: its id is no longer a UUID")
    func truncated() {
        #expect(CallCursor(encoded: String(Self.encoded.dropLast(4))) == nil)
        #expect(CallCursor(encoded: String(Self.encoded.dropFirst(4))) == nil)
    }

    @Test("a cursor's text repeated is refused (no cursor Otto issues is over 256 characters)")
    func repeated() {
        let long = String(repeating: Self.encoded, count: 3)
        #expect(long.utf8.count > 256)
        #expect(CallCursor(encoded: long) == nil)
    }
}
