/// A recording being downloaded: its container, declared length and streamed bytes.
public struct RecordingMedia: Sendable {
    public var container: AudioContainer
    /// The Content-Length, when the provider sent one.
    public var contentLength: Int64?
    public var body: MediaStream

    public var contentType: String { container.contentType }
}
