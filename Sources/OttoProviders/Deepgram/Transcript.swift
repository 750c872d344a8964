/// What Deepgram heard in a recording: its utterances in time order, and the audio's length.
/// Codable so the pipeline can store it as it is.
public struct Transcript: Sendable, Equatable, Codable {
    /// One party's stretch of speech.
    public struct Utterance: Sendable, Equatable, Codable {
        /// The audio channel (each party its own with dual-channel recordings; 0 otherwise).
        public var channel: Int
        /// The diarised speaker (mono recordings); nil with multichannel.
        public var speaker: Int?
        /// Seconds from the start of the audio.
        public var start: Double
        public var end: Double
        /// 0 to 1.
        public var confidence: Double
        public var text: String

        public init(channel: Int, speaker: Int?, start: Double, end: Double, confidence: Double, text: String) {
            self.channel = channel
            self.speaker = speaker
            self.start = start
            self.end = end
            self.confidence = confidence
            self.text = text
        }

        /// The party who spoke: the speaker when diarised, else the channel.
        public var party: Int { speaker ?? channel }
    }

    /// Sorted by start (Deepgram answers multichannel utterances channel by channel).
    public var utterances: [Utterance]
    /// The audio's duration in seconds, as Deepgram measured it (what it bills).
    public var durationSeconds: Double
    /// The model Otto asked for (`DEEPGRAM_MODEL`).
    public var model: String
    /// The model Deepgram says it ran (`metadata.model_info[...].name`), when it says.
    public var modelName: String?
    /// Deepgram's request id, for support requests.
    public var requestID: String?

    public init(
        utterances: [Utterance], durationSeconds: Double, model: String, modelName: String? = nil,
        requestID: String? = nil
    ) {
        self.utterances = utterances
        self.durationSeconds = durationSeconds
        self.model = model
        self.modelName = modelName
        self.requestID = requestID
    }
}
