import OttoProviders

/// Who spoke how long in a call, computed locally from the transcript's utterances (the model is
/// never asked to count seconds). Stored with the analysis (`analyses.talk_time`).
///
/// Each party's stretches are merged before they are measured, so overlapping utterances of one
/// party (Deepgram's utterances can overlap at their edges) count once. An utterance whose times
/// are not finite or whose end is not after its start is ignored.
public struct TalkTime: Sendable, Equatable, Codable {
    /// One party's speaking time.
    public struct Party: Sendable, Equatable, Codable {
        /// ``OttoProviders/Transcript/Utterance/party``: the diarised speaker, else the channel.
        public var party: Int
        public var seconds: Double

        public init(party: Int, seconds: Double) {
            self.party = party
            self.seconds = seconds
        }
    }

    /// Every party that spoke, in ascending party order.
    public var parties: [Party]
    /// Party 0's share of all parties' speaking seconds (0 to 1); nil when nobody spoke.
    public var ratio: Double?
    /// The audio's duration minus the time anyone spoke, clamped to `0...duration`.
    public var silenceSeconds: Double
    /// The time at least two parties spoke at once.
    public var overlapSeconds: Double

    public init(parties: [Party], ratio: Double?, silenceSeconds: Double, overlapSeconds: Double) {
        self.parties = parties
        self.ratio = ratio
        self.silenceSeconds = silenceSeconds
        self.overlapSeconds = overlapSeconds
    }

    /// The figures of `transcript` (its utterances over its duration).
    public init(_ transcript: Transcript) {
        self.init(utterances: transcript.utterances, durationSeconds: transcript.durationSeconds)
    }

    public init(utterances: [Transcript.Utterance], durationSeconds: Double) {
        var stretches: [Int: [(start: Double, end: Double)]] = [:]
        for utterance in utterances
        where utterance.start.isFinite && utterance.end.isFinite && utterance.end > utterance.start {
            stretches[utterance.party, default: []].append((utterance.start, utterance.end))
        }
        let merged = stretches.mapValues(Self.merged)
        parties = merged.keys.sorted().map { party in
            Party(party: party, seconds: merged[party]!.reduce(0) { $0 + ($1.end - $1.start) })
        }
        let total = parties.reduce(0) { $0 + $1.seconds }
        ratio = total > 0 ? (parties.first { $0.party == 0 }?.seconds ?? 0) / total : nil

        // Sweep the parties' merged stretches: where one or more speak is speech, two or more overlap.
        var edges: [(time: Double, change: Int)] = []
        for stretch in merged.values.joined() {
            edges.append((stretch.start, 1))
            edges.append((stretch.end, -1))
        }
        // Ends before starts at the same instant: touching stretches neither overlap nor leave a gap.
        edges.sort { $0.time < $1.time || ($0.time == $1.time && $0.change < $1.change) }
        var speaking = 0
        var speech = 0.0
        var overlap = 0.0
        var previous = 0.0
        for edge in edges {
            let span = edge.time - previous
            if speaking >= 1 { speech += span }
            if speaking >= 2 { overlap += span }
            speaking += edge.change
            previous = edge.time
        }
        overlapSeconds = overlap
        let duration = durationSeconds.isFinite ? max(durationSeconds, 0) : 0
        silenceSeconds = min(max(duration - speech, 0), duration)
    }

    /// `stretches` merged where they overlap or touch, in time order.
    static func merged(_ stretches: [(start: Double, end: Double)]) -> [(start: Double, end: Double)] {
        var result: [(start: Double, end: Double)] = []
        for stretch in stretches.sorted(by: { $0.start < $1.start }) {
            if let last = result.last, stretch.start <= last.end {
                result[result.count - 1].end = max(last.end, stretch.end)
            } else {
                result.append(stretch)
            }
        }
        return result
    }

    /// The `talk_time` column's form, which the tenant API serves as it is:
    /// `{"by_party": {"0": s, …}, "ratio": x | null, "silence_seconds": s, "overlap_seconds": s}`.
    enum CodingKeys: String, CodingKey {
        case ratio
        case byParty = "by_party"
        case silenceSeconds = "silence_seconds"
        case overlapSeconds = "overlap_seconds"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(
            Dictionary(uniqueKeysWithValues: parties.map { (String($0.party), $0.seconds) }), forKey: .byParty)
        try container.encode(ratio, forKey: .ratio)
        try container.encode(silenceSeconds, forKey: .silenceSeconds)
        try container.encode(overlapSeconds, forKey: .overlapSeconds)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let byParty = try container.decode([String: Double].self, forKey: .byParty)
        parties = try byParty.map { key, seconds in
            guard let party = Int(key) else {
                throw DecodingError.dataCorruptedError(
                    forKey: .byParty, in: container, debugDescription: "a party is a number, not \(key)")
            }
            return Party(party: party, seconds: seconds)
        }.sorted { $0.party < $1.party }
        ratio = try container.decodeIfPresent(Double.self, forKey: .ratio)
        silenceSeconds = try container.decode(Double.self, forKey: .silenceSeconds)
        overlapSeconds = try container.decode(Double.self, forKey: .overlapSeconds)
    }
}
