import Tensors

/// An exponential moving average of parameters, kept in its own buffers: ema ← d·ema + (1−d)·p.
public final class ExponentialMovingAverage {
    public let decay: Float
    public let averages: [Tensor]
    private let parameters: [Tensor]

    public init(parameters: [Tensor], decay: Float = 0.999) {
        self.decay = decay
        self.parameters = parameters
        averages = parameters.map { $0.detached().copy() }
    }

    /// Moves every average towards its parameter's current value.
    public func update() { update(decay: decay) }

    /// One update with another decay than the configured one (EMA warm-up schedules).
    public func update(decay d: Float) {
        for (a, p) in zip(averages, parameters) {
            let ap = a.storage.pointer, pp = p.storage.pointer
            for j in 0..<a.count { ap[j] = d * ap[j] + (1 - d) * pp[j] }
        }
    }

    /// Copies the averages into `targets`, one per averaged parameter and in their order: the
    /// sampling model's copies of those parameters, so the trained ones keep training.
    public func copyAverages(into targets: [Tensor]) {
        require(targets.count == averages.count, "EMA: \(targets.count) targets for \(averages.count) averages")
        for (a, t) in zip(averages, targets) {
            require(t.count == a.count, "EMA: a target of \(t.count) values for an average of \(a.count)")
            t.storage.pointer.update(from: a.storage.pointer, count: a.count)
        }
    }
}
