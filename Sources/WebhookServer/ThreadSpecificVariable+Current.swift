import NIOPosix

extension ThreadSpecificVariable {
    /// This thread's value, made by `make` and kept on first use: the per-thread caches of the hot path (log
    /// batches, metric handles, per-second texts, the turn's flushes) each need one without a lock.
    func current(orMake make: () -> Value) -> Value {
        if let value = currentValue { return value }
        let value = make()
        currentValue = value
        return value
    }
}
