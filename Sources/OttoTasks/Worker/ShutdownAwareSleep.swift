import ServiceLifecycle

/// Sleeps for `duration`, returning early when graceful shutdown begins, so a service in a
/// backoff or between periodic runs stops at once instead of finishing its nap.
public func sleepUnlessShuttingDown(for duration: Duration) async {
    guard !Task.isShuttingDownGracefully else { return }
    try? await cancelWhenGracefulShutdown {
        try await Task.sleep(for: duration)
    }
}
