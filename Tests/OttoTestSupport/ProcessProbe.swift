import Foundation
import OttoCalls
import OttoTasks

/// Small HTTP probes for tests of real processes (curl, so no client library is needed).
public enum ProcessProbe {
    /// The status of `GET url` (0 when nothing answered within two seconds).
    public static func httpStatus(_ url: String) async -> Int {
        let arguments = ["-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "2", url]
        guard let result = try? await ProcessRunner.run("/usr/bin/curl", arguments) else { return 0 }
        return Int(result.text) ?? 0
    }
}
