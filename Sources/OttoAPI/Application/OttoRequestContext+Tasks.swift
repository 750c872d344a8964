import OttoCalls
import OttoTasks

extension OttoRequestContext {
    /// Enqueue options that carry this request's trace context (and tenant, once known), so the
    /// worker's log lines for the task share the request's `trace_id`. Every route that enqueues
    /// builds its options here.
    func enqueueOptions(_ options: EnqueueOptions = .init()) -> EnqueueOptions {
        var options = options
        options.traceparent = trace.traceparent
        if options.tenantID == nil { options.tenantID = identity?.tenantID }
        return options
    }
}
