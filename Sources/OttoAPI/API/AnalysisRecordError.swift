/// A stored analysis whose sentiment or outcome the API document does not list.
struct AnalysisRecordError: Error, CustomStringConvertible {
    var callID: String
    var description: String { "the stored analysis of call \(callID) has a sentiment or outcome the API does not list" }
}
