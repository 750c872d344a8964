/// The account and call ids of a CallRail post-call webhook's `recording` field
/// (`https://api.callrail.com/v3/a/{account}/calls/{call}/recording.json`): what CallRail's API
/// needs to give the recording's current URL.
struct CallRailRecordingLink: Equatable {
    var accountID: String
    var callID: String

    init?(_ url: String) {
        let marker = "/v3/a/"
        var rest = Substring(url)
        while !rest.isEmpty, !rest.hasPrefix(marker) { rest = rest.dropFirst() }
        guard !rest.isEmpty else { return nil }
        let parts = rest.dropFirst(marker.count).split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count >= 4, parts[1] == "calls", parts[3].hasPrefix("recording"),
            Self.isID(parts[0]), Self.isID(parts[2])
        else { return nil }
        accountID = String(parts[0])
        callID = String(parts[2])
    }

    private static func isID(_ text: Substring) -> Bool {
        !text.isEmpty && text.count <= 128 && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) }
    }
}
