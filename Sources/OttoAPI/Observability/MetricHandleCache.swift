import OttoCalls
import Synchronization

/// Metric handles by label and dimensions, each made once, on first use, and kept, so that a
/// request does not look its metrics up in the registry.
final class MetricHandleCache<Handle: Sendable>: Sendable {
    private struct Key: Hashable {
        var label: String
        var dimensions: [String]
    }

    private let handles = Mutex<[Key: Handle]>([:])

    /// The handle for `label` and `dimensions`, made by `make` the first time they are asked for.
    func handle(
        _ label: String, _ dimensions: [(String, String)], make: (String, [(String, String)]) -> Handle
    ) -> Handle {
        let key = Key(label: label, dimensions: dimensions.flatMap { [$0.0, $0.1] })
        return handles.withLock { handles in
            if let handle = handles[key] { return handle }
            let handle = make(label, dimensions)
            handles[key] = handle
            return handle
        }
    }
}
