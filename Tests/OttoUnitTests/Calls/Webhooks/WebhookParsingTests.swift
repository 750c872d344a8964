import OttoCalls
import OttoCore
import OttoProcessKit
import OttoTasks
import Testing

@Suite struct WebhookParsingTests {
    @Test func formParserDecodesPercentAndPlus() throws {
        let pairs = try FormURLEncoded.parse("From=%2B15551234567&Caller+Name=Jane+Doe&Empty=&Flag&Caf%C3%A9=%E2%98%8E")
        #expect(pairs.map(\.name) == ["From", "Caller Name", "Empty", "Flag", "Café"])
        #expect(pairs.map(\.value) == ["+15551234567", "Jane Doe", "", "", "☎"])
    }

    @Test func formParserRefusesBrokenEscapes() {
        #expect(throws: FormURLEncoded.MalformedError.self) { try FormURLEncoded.parse("a=%zz") }
        #expect(throws: FormURLEncoded.MalformedError.self) { try FormURLEncoded.parse("a=%4") }
        #expect(throws: FormURLEncoded.MalformedError.self) { try FormURLEncoded.parse("a=%FF%FE") }
    }

    @Test func formEncodingRoundTrips() throws {
        let text = "+1 (555) 123-4567 & é"
        #expect(try FormURLEncoded.decode(Substring(FormURLEncoded.encode(text))) == text)
    }

    @Test func phoneNumbersNormaliseToE164() {
        #expect(PhoneNumber.e164("+1 (555) 123-4567") == "+15551234567")
        #expect(PhoneNumber.e164("555-123-4567") == "+15551234567")
        #expect(PhoneNumber.e164("15551234567") == "+15551234567")
        #expect(PhoneNumber.e164("0044 20 7946 0958") == "+442079460958")
        #expect(PhoneNumber.e164("+44 20 7946 0958") == "+442079460958")
        #expect(PhoneNumber.e164("020 7946 0958", defaultCountry: "44") == "+442079460958")
        #expect(PhoneNumber.e164("client:alice") == nil)
        #expect(PhoneNumber.e164("Anonymous") == nil)
        #expect(PhoneNumber.e164("123") == nil)
    }

    @Test func maskingKeepsOnlyPrefixAndLastFour() {
        #expect(PhoneNumber.masked("+15551234567") == "+1******4567")
        #expect(PhoneNumber.masked(nil) == "")
        #expect(PhoneNumber.masked("12345") == "*****")
    }

    @Test func providerTimestampsParse() {
        #expect(WebhookTime.unixSeconds("Mon, 16 Aug 2010 03:45:01 +0000") == 1_281_930_301)
        #expect(WebhookTime.unixSeconds("Mon, 16 Aug 2010 05:45:01 +0200") == 1_281_930_301)
        #expect(WebhookTime.unixSeconds("2010-08-16T03:45:01Z") == 1_281_930_301)
        #expect(WebhookTime.unixSeconds("2010-08-15T23:45:01.000-04:00") == 1_281_930_301)
        #expect(WebhookTime.unixSeconds("2010-08-16") == 1_281_916_800)
        #expect(WebhookTime.unixSeconds("yesterday") == nil)
    }

    @Test func twilioCallbackMapsToCallUpdate() throws {
        let update = try #require(
            CallUpdate.twilio([
                "CallSid": "CA1", "CallStatus": "completed", "Direction": "outbound-api", "From": "+15551234567",
                "To": "(555) 765-4321", "CallDuration": "60", "Timestamp": "Mon, 16 Aug 2010 03:45:01 +0000",
            ]))
        #expect(update.status == "completed")
        #expect(update.direction == "outbound")
        #expect(update.toNumber == "+15557654321")
        #expect(update.endedAt == 1_281_930_301)
        #expect(update.startedAt == 1_281_930_241)
        #expect(update.durationSeconds == 60)
        let recording = try #require(
            CallUpdate.twilio(["CallSid": "CA1", "RecordingSid": "RE1", "RecordingUrl": "https://r.example/RE1"]))
        #expect(recording.status == CallStatus.unknown)
        #expect(recording.recordingURL == "https://r.example/RE1")
    }

    @Test func callRailPayloadMapsToCallUpdate() throws {
        let payload: [String: JSONValue] = [
            "id": .string("CAL123"), "direction": .string("inbound"), "answered": .bool(false),
            "customer_phone_number": .string("+15551234567"), "tracking_phone_number": .string("+15550001111"),
            "business_phone_number": .string("+15552223333"), "start_time": .string("2010-08-16T03:45:01Z"),
            "duration": .number(30), "recording": .null,
        ]
        let completed = try #require(CallUpdate.callRail(payload, eventKind: "call-completed"))
        #expect(completed.status == "no-answer")
        #expect(completed.fromNumber == "+15551234567")
        #expect(completed.toNumber == "+15552223333")
        #expect(completed.trackingNumber == "+15550001111")
        #expect(completed.endedAt == 1_281_930_331)
        #expect(CallUpdate.callRail(payload, eventKind: "pre-call")?.status == "ringing")
        #expect(CallUpdate.callRail(["direction": .string("inbound")], eventKind: "pre-call") == nil)
        // Pre-call payloads name the customer `customer_number` and carry answered=false, duration=0.
        let preCall = try #require(
            CallUpdate.callRail(
                [
                    "resource_id": .string("CAL123"), "customer_number": .string("+15551234567"),
                    "answered": .bool(false), "duration": .number(0),
                ], eventKind: "pre-call"))
        #expect(preCall.providerCallID == "CAL123")
        #expect(preCall.status == "ringing")
        #expect(preCall.fromNumber == "+15551234567")
    }

    @Test func callStatusRanksNeverGoBackwards() {
        #expect(CallStatus.rank("ringing") < CallStatus.rank("completed"))
        #expect(CallStatus.rank("queued") < CallStatus.rank("initiated"))
        #expect(CallStatus.rank("in-progress") < CallStatus.rank("no-answer"))
        #expect(CallStatus.rank("bogus") == 0)
    }

    @Test func callCursorRoundTripsAndRefusesForgeries() throws {
        let cursor = CallCursor(sortKey: "2026-01-31 12:00:00.123456+00", id: "6f1c2b8e-3a4d-4c5e-9f10-2b3c4d5e6f70")
        #expect(CallCursor(encoded: cursor.encoded) == cursor)
        #expect(!cursor.encoded.contains("="))
        #expect(CallCursor(encoded: "not a cursor") == nil)
    }
}
