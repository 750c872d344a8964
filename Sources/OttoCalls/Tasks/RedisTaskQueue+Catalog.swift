import OttoRedis
import OttoTasks

extension RedisTaskQueue {
    /// The queue of Otto's standard tasks (``TaskRegistry/catalog``): what producers and operator
    /// commands enqueue to, with each task's defaults.
    public init(redis: RedisClient, keys: RedisKeys) {
        self.init(redis: redis, keys: keys, registry: .catalog)
    }
}
