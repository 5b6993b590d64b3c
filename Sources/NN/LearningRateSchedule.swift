import Foundation
import Tensors

/// Linear warmup from 0 to `peak` over `warmupSteps`, then cosine decay to `minimum` at `totalSteps`.
public struct WarmupCosineSchedule: Sendable {
    public var peak: Float
    public var minimum: Float
    public var warmupSteps: Int
    public var totalSteps: Int

    public init(peak: Float, minimum: Float = 0, warmupSteps: Int, totalSteps: Int) {
        require(totalSteps > 0 && warmupSteps >= 0 && warmupSteps <= totalSteps, "schedule: warmup \(warmupSteps), total \(totalSteps)")
        self.peak = peak; self.minimum = minimum; self.warmupSteps = warmupSteps; self.totalSteps = totalSteps
    }

    /// The learning rate for 0-based `step`.
    public func learningRate(at step: Int) -> Float {
        if step < warmupSteps { return peak * Float(step + 1) / Float(warmupSteps) }
        let span = max(totalSteps - warmupSteps, 1)
        let progress = min(Double(step - warmupSteps) / Double(span), 1)
        return minimum + (peak - minimum) * Float(0.5 * (1 + cos(Double.pi * progress)))
    }
}
