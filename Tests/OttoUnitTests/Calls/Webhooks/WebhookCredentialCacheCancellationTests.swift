import Logging
import OttoCalls
import OttoCore
import OttoProcessKit
import OttoTasks
import OttoTestSupport
import Testing

/// A ServiceGroup cancels its services when one of them fails (and HummingbirdTesting cancels
/// the application when a test's body throws): the credential cache's `run()` must end then,
/// not spin in its refresh loop (a cancelled sleep returns at once).
@Suite("Webhook credential cache cancellation")
struct WebhookCredentialCacheCancellationTests {
    /// Runs the cache's `run()` until its source has been read at least once, cancels it, and
    /// says whether `run()` ended (the deadline only fails a loop that ignores cancellation).
    static func endsWhenCancelled(loading load: @escaping @Sendable () async throws -> [SealedCallRailCredentials])
        async -> Bool
    {
        let loadAttempts = HoldCounter()
        let source: @Sendable () async throws -> [SealedCallRailCredentials] = {
            loadAttempts.increment()
            return try await load()
        }
        let cache = WebhookCredentialCache(
            source: source, secrets: nil, requireUsableKeys: false, logger: Logger(label: "otto.tests.cache"))
        let finished = HoldCounter()
        let running = Task {
            try? await cache.run()
            finished.increment()
        }
        // Waiting for a first load means run() is in its loop (measured: within milliseconds).
        let loaded = await eventually(timeout: .seconds(30)) { loadAttempts.value >= 1 }
        #expect(loaded)
        running.cancel()
        return await eventually(timeout: .seconds(30)) { finished.value == 1 }
    }

    @Test("run() ends on cancellation once the credentials are loaded (the periodic refresh loop)")
    func endsAfterLoading() async {
        #expect(
            await Self.endsWhenCancelled { [] })
    }

    @Test("run() ends on cancellation while the first load keeps failing (the start-up retry loop)")
    func endsWhileFailing() async {
        struct DatabaseAway: Error {}
        #expect(
            await Self.endsWhenCancelled { throw DatabaseAway() })
    }
}
