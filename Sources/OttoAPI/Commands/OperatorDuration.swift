import ArgumentParser

/// A duration as an operator writes it on the command line: a whole number with `s`, `m`, `h`
/// or `d` (`90s`, `30m`, `24h`, `7d`); `0` alone means none.
struct OperatorDuration: ExpressibleByArgument, Sendable {
    /// The longest window accepted: a previous key valid for longer would defeat the rotation.
    static let maximumSeconds = 90 * 86_400

    var seconds: Int

    init?(argument: String) {
        if argument == "0" {
            seconds = 0
            return
        }
        guard let unit = argument.last, let count = Int(argument.dropLast()), count >= 0, count <= 90 * 86_400
        else { return nil }
        let factor: Int
        switch unit {
        case "s": factor = 1
        case "m": factor = 60
        case "h": factor = 3600
        case "d": factor = 86_400
        default: return nil
        }
        let (total, overflow) = count.multipliedReportingOverflow(by: factor)
        guard !overflow, total <= Self.maximumSeconds else { return nil }
        seconds = total
    }

    static var defaultCompletionKind: CompletionKind { .default }
}
