import OttoSupport

/// The audio containers Otto's providers serve (Twilio WAV or MP3, CallRail MP3), by their
/// Content-Type and by their first bytes.
public enum AudioContainer: String, Sendable, Equatable, CustomStringConvertible {
    case wav
    case mp3

    /// What to send as the Content-Type (Deepgram's stand-in checks it names the container).
    public var contentType: String {
        switch self {
        case .wav: "audio/x-wav"
        case .mp3: "audio/mpeg"
        }
    }

    public var description: String { rawValue.uppercased() }

    static let sniffLength = 12

    /// The container a media Content-Type names; nil for anything else (`text/html`).
    public init?(contentType: String) {
        let type = contentType.split(separator: ";").first.map { $0.trimmed.lowercased() } ?? ""
        switch type {
        case "audio/wav", "audio/x-wav", "audio/wave", "audio/vnd.wave": self = .wav
        case "audio/mpeg", "audio/mp3", "audio/mpeg3", "audio/x-mpeg-3": self = .mp3
        default: return nil
        }
    }

    /// The container the bytes start with: `RIFF....WAVE`, an ID3 tag or an MPEG frame sync.
    init?(sniffing bytes: some Collection<UInt8>) {
        let head = Array(bytes.prefix(Self.sniffLength))
        if head.count >= 12, head[0..<4] == [0x52, 0x49, 0x46, 0x46], head[8..<12] == [0x57, 0x41, 0x56, 0x45] {
            self = .wav
        } else if head.count >= 3, head[0..<3] == [0x49, 0x44, 0x33] {
            self = .mp3
        } else if head.count >= 2, head[0] == 0xFF, head[1] & 0xE0 == 0xE0 {
            self = .mp3
        } else {
            return nil
        }
    }
}
