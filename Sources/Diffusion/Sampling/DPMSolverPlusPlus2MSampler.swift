import Foundation
import Tensors

/// DPM-Solver++(2M) (Lu et al., arXiv 2211.01095, Algorithm 2): a second-order multistep solver of
/// the probability-flow ODE in data prediction. With h_i = λ_{t_i} − λ_{t_{i−1}} and D the
/// (clipped) x̂_0 predictions:
///   x_{t_i} = (σ_{t_i}/σ_{t_{i−1}}) x_{t_{i−1}} − α_{t_i} (e^{−h_i} − 1) D_i,
///   D_i = (1 + 1/(2r_i)) x̂_0(t_{i−1}) − 1/(2r_i) x̂_0(t_{i−2}),  r_i = h_{i−1}/h_i,
/// and D_1 = x̂_0(t_0) (first order: no earlier prediction yet). One ε evaluation per step.
///
/// The final step, into the clean image (σ = 0, λ = ∞), is first order, as diffusers'
/// `lower_order_final` / `final_sigmas_type="zero"`: there h = ∞ and r = 0, so the second-order
/// term is undefined, and the first-order step returns x̂_0 itself.
public struct DPMSolverPlusPlus2MSampler: Sampler {
    public var steps: Int
    /// Clamp x̂_0 to [−1, 1] at every step (images live there).
    public var clipDenoised: Bool

    /// DPM-Solver++(2M) over `steps` evenly spaced timesteps.
    public init(steps: Int, clipDenoised: Bool = true) {
        require(steps >= 1, "DPM-Solver++ needs at least one step")
        self.steps = steps
        self.clipDenoised = clipDenoised
    }

    public func timesteps(schedule: NoiseSchedule) -> [Int] { schedule.evenlySpacedTimesteps(count: steps) }

    public func sample(initial: Tensor, schedule: NoiseSchedule, epsilon: (Tensor, Int) throws -> Tensor, noise: (Int) -> Tensor) rethrows -> Tensor {
        let ts = timesteps(schedule: schedule)
        var x = initial
        var previous: (prediction: Tensor, h: Double)?
        for (index, t) in ts.enumerated() {
            let prediction = predictedCleanImage(x: x, epsilon: try epsilon(x, t), signal: schedule.signal(t), noise: schedule.noise(t),
                                                 clip: clipDenoised)
            guard index + 1 < ts.count else { return prediction }
            let next = ts[index + 1]
            let h = schedule.lambda(next) - schedule.lambda(t)
            let decay = schedule.noise(next) / schedule.noise(t)
            // −α_{t_i}(e^{−h} − 1) with expm1, exact for the small h of many-step runs.
            let dataWeight = -schedule.signal(next) * expm1(-h)
            if let (earlier, previousH) = previous {
                let correction = 1 / (2 * (previousH / h))
                x = combination(decay, x, dataWeight * (1 + correction), prediction, -dataWeight * correction, earlier)
            } else {
                x = combination(decay, x, dataWeight, prediction)
            }
            previous = (prediction, h)
        }
        return x
    }
}
