/// The messages that ask for a ``CallAnalysis``.
enum CallAnalysisPrompt {
    static let instructions = """
        You analyse recorded sales and service phone calls for the business that received them. \
        Read the transcript and answer with the requested JSON only: a short factual summary, the \
        caller's sentiment, the outcome, the caller's objections, the agreed next steps (empty \
        lists when there are none) and a lead score from 0 to 100. Use only what the transcript says.
        """

    /// The transcript as numbered parties and timestamps, one utterance a line.
    static func transcript(_ transcript: Transcript) -> String {
        var lines = ["Call transcript (\(Int(transcript.durationSeconds.rounded())) seconds):"]
        for utterance in transcript.utterances {
            let seconds = Int(utterance.start)
            let stamp = "\(seconds / 60):" + (seconds % 60 < 10 ? "0" : "") + "\(seconds % 60)"
            lines.append("[\(stamp)] Party \(utterance.party + 1): \(utterance.text)")
        }
        if transcript.utterances.isEmpty { lines.append("(no speech was recognised)") }
        return lines.joined(separator: "\n")
    }
}
