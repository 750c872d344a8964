import OttoTasks

extension CallPipelineWorkflow {
    /// The queue the steps' tasks go to (workers drain it by default).
    public static let queue = "default"

    /// The workflow with its steps' clients: the recording located (`fetch`), transcribed by
    /// Deepgram (`transcribe`, the audio streamed from Twilio or CallRail as it downloads) and
    /// analysed by OpenAI (`analyse`). Each step's result is stored keyed by call, so a re-run
    /// replaces and never duplicates.
    public static func workflow(_ dependencies: CallPipelineDependencies)
        -> Workflow<FetchRecordingStep.Input, AnalyseStep.Output>
    {
        Workflow(name: name, queue: queue, first: FetchRecordingStep(dependencies))
            .then(TranscribeStep(dependencies))
            .then(AnalyseStep(dependencies))
    }
}
