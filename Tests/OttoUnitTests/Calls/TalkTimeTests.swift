import Foundation
import OttoCalls
import OttoProviders
import Testing

/// Talk time, silence and overlap from a transcript's utterances, against figures worked out by
/// hand on a timeline for each case.
@Suite("Talk time")
struct TalkTimeTests {
    /// An utterance of `party` on its own channel (dual-channel recording).
    static func said(_ party: Int, _ start: Double, _ end: Double) -> Transcript.Utterance {
        Transcript.Utterance(channel: party, speaker: nil, start: start, end: end, confidence: 0.9, text: "…")
    }

    static func seconds(_ talk: TalkTime) -> [Int: Double] {
        Dictionary(uniqueKeysWithValues: talk.parties.map { ($0.party, $0.seconds) })
    }

    @Test("two parties taking turns: seconds each, party 0's share, the gaps as silence, no overlap")
    func turns() {
        // 0-10 party 0, 12-20 party 1, audio 30 s: speech 18, silence 12.
        let talk = TalkTime(utterances: [Self.said(0, 0, 10), Self.said(1, 12, 20)], durationSeconds: 30)
        #expect(Self.seconds(talk) == [0: 10, 1: 8])
        #expect(talk.ratio == 10.0 / 18.0)
        #expect(talk.silenceSeconds == 12)
        #expect(talk.overlapSeconds == 0)
    }

    @Test("one party's overlapping utterances count once; both talking is overlap")
    func overlaps() {
        // Party 0: 0-5 and 3-8 merge to 0-8 (8 s). Party 1: 6-10 (4 s). Both talk 6-8 (2 s).
        // Anyone talks 0-10, so a 12 s call has 2 s of silence.
        let talk = TalkTime(
            utterances: [Self.said(0, 3, 8), Self.said(1, 6, 10), Self.said(0, 0, 5)], durationSeconds: 12)
        #expect(Self.seconds(talk) == [0: 8, 1: 4])
        #expect(talk.ratio == 8.0 / 12.0)
        #expect(talk.overlapSeconds == 2)
        #expect(talk.silenceSeconds == 2)
    }

    @Test("three parties: overlap is wherever at least two talk")
    func threeParties() {
        // 0: 0-10, 1: 2-6, 2: 4-8. Two or more talk from 2 to 8: 6 s. Speech 0-10.
        let talk = TalkTime(
            utterances: [Self.said(0, 0, 10), Self.said(1, 2, 6), Self.said(2, 4, 8)], durationSeconds: 10)
        #expect(Self.seconds(talk) == [0: 10, 1: 4, 2: 4])
        #expect(talk.ratio == 10.0 / 18.0)
        #expect(talk.overlapSeconds == 6)
        #expect(talk.silenceSeconds == 0)
    }

    @Test("touching stretches neither overlap nor leave silence")
    func touching() {
        // Party 0: 0-5 and 5-10 (one stretch); party 1 starts at 10 exactly and talks to 15.
        let talk = TalkTime(
            utterances: [Self.said(0, 0, 5), Self.said(0, 5, 10), Self.said(1, 10, 15)], durationSeconds: 15)
        #expect(Self.seconds(talk) == [0: 10, 1: 5])
        #expect(talk.overlapSeconds == 0)
        #expect(talk.silenceSeconds == 0)
    }

    @Test("nobody spoke: no ratio, the whole call is silence")
    func silentCall() {
        let talk = TalkTime(utterances: [], durationSeconds: 42.5)
        #expect(talk.parties.isEmpty)
        #expect(talk.ratio == nil)
        #expect(talk.silenceSeconds == 42.5)
        #expect(talk.overlapSeconds == 0)
    }

    @Test("diarised speakers are the parties; only party 1 spoke gives a ratio of 0")
    func diarised() {
        // A mono recording: everything on channel 0, speaker 1 talks 1-4 and 2-6 (merged 1-6).
        let utterances = [
            Transcript.Utterance(channel: 0, speaker: 1, start: 1, end: 4, confidence: 1, text: "a"),
            Transcript.Utterance(channel: 0, speaker: 1, start: 2, end: 6, confidence: 1, text: "b"),
        ]
        let talk = TalkTime(Transcript(utterances: utterances, durationSeconds: 10, model: "nova-3"))
        #expect(Self.seconds(talk) == [1: 5])
        #expect(talk.ratio == 0)
        #expect(talk.silenceSeconds == 5)
    }

    @Test("speech past the end clamps silence to 0; empty, reversed and non-finite utterances are ignored")
    func bounds() {
        let talk = TalkTime(
            utterances: [
                Self.said(0, 0, 15), Self.said(1, 4, 4), Self.said(1, 9, 3), Self.said(1, .nan, 2),
                Self.said(1, 1, .infinity),
            ], durationSeconds: 10)
        #expect(Self.seconds(talk) == [0: 15])
        #expect(talk.ratio == 1)
        #expect(talk.silenceSeconds == 0)
        #expect(talk.overlapSeconds == 0)
    }

    @Test("it encodes with snake_case keys and decodes back")
    func codable() throws {
        let talk = TalkTime(utterances: [Self.said(0, 0, 2), Self.said(1, 1, 4)], durationSeconds: 5)
        let data = try JSONEncoder().encode(talk)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(Set(object.keys) == ["by_party", "ratio", "silence_seconds", "overlap_seconds"])
        // The column's form, which the tenant API's reader decodes (AnalysisRecord.TalkTime).
        let record = try JSONDecoder().decode(AnalysisRecord.TalkTime.self, from: data)
        #expect(record.byParty == Dictionary(uniqueKeysWithValues: talk.parties.map { (String($0.party), $0.seconds) }))
        #expect(record.ratio == talk.ratio && record.silenceSeconds == talk.silenceSeconds)
        #expect(try JSONDecoder().decode(TalkTime.self, from: data) == talk)
    }
}
