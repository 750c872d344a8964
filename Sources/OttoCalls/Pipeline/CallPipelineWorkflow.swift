/// The call-analysis pipeline's workflow: its name and steps, in order. A step's task is named
/// `<workflow>.<step>` and its subject is the call's id.
public enum CallPipelineWorkflow {
    public static let name = "call_analysis"
    public static let steps = ["fetch", "transcribe", "analyse"]

    /// The first run's input: the recording the fetch step reads.
    public static func inputJSON(recordingID: String) -> String {
        // A UUID needs no JSON escaping.
        "{\"recording_id\":\"\(recordingID)\"}"
    }
}
