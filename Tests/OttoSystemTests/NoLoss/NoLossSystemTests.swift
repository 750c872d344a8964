import Testing

/// The suites that start whole fleets of real processes for the no-loss, queue-race and
/// check-config rules (otto-api, workers, beats, a PostgreSQL server of their own). They run one
/// after another, so their load never piles up on the timing-bound suites that run beside them
/// on a two-core machine.
@Suite("No loss, queue races, check-config (one suite at a time)", .serialized)
enum NoLossSystemTests {}
