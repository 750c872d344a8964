import OttoProcessKit
import OttoTasks

extension WorkerSettings {
    /// Settings from a worker's configuration.
    public init(configuration: WorkerConfiguration, id: String) {
        self.init(
            id: id, queues: configuration.queues, concurrency: configuration.concurrency,
            visibilityTimeout: .seconds(configuration.visibilityTimeout),
            shutdownGrace: .seconds(configuration.shutdownGrace))
        self.databaseRetrySpan = .seconds(configuration.databaseRetrySpan)
    }
}
