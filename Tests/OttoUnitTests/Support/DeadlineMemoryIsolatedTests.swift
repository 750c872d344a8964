import Foundation
import Testing

@testable import OttoSupport

/// Deadlines that do not pass must not hold memory after their operations end. A cancelled
/// `Task.sleep` keeps its timer until the original deadline (about 0.7 KB), so a deadline made of
/// one held 27 MB here for five minutes; on the shared `DeadlineTimer` it holds nothing.
///
/// It measures the process' anonymous memory, so it runs alone (`make test` runs the suites named
/// `IsolatedTests` in a process of their own): other tests' allocations would blur it.
@Suite("Deadline memory (isolated)")
struct DeadlineMemoryIsolatedTests {
    @Test("40,000 five-minute deadlines that do not pass leave under 6 MB behind")
    func deadlinesLeaveNothing() async throws {
        for index in 0..<1_000 { _ = try await withDeadline(.seconds(300), whenLate: .cancelAndWait) { index } }
        let before = try Self.anonymousKiB()
        for index in 0..<20_000 {
            _ = try await withDeadline(.seconds(300), whenLate: .cancelAndWait) { index }
            _ = try await withDeadline(.seconds(300), whenLate: .leaveRunning) { index }
        }
        let grown = try Self.anonymousKiB() - before
        #expect(grown < 6_000, "anonymous memory grew by \(grown) KiB")
    }

    /// RssAnon of /proc/self/status, in KiB.
    static func anonymousKiB() throws -> Int {
        let status = try String(contentsOfFile: "/proc/self/status", encoding: .utf8)
        let line = status.split(separator: "\n").first { $0.hasPrefix("RssAnon:") }
        let number = line?.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first
        return try #require(number.flatMap { Int($0) })
    }
}
