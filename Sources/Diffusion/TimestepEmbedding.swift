import Foundation
import Tensors

/// Sinusoidal timestep features [B, dim]: [cos | sin] of t · 10000^(−i/half), i < half (LDM
/// layout, cos first). Computed in Float32 step by step as the reference does.
public func timestepEmbedding(_ timesteps: [Int], dimension: Int) -> Tensor {
    let half = dimension / 2
    let logBase = Float(-Foundation.log(10000.0))
    let freqs = (0..<half).map { Float(Foundation.exp(Double(logBase * (Float($0) / Float(half))))) }
    var values = [Float](repeating: 0, count: timesteps.count * dimension)
    for (b, t) in timesteps.enumerated() {
        for i in 0..<half {
            let angle = Double(Float(t) * freqs[i])
            values[b * dimension + i] = Float(Foundation.cos(angle))
            values[b * dimension + half + i] = Float(Foundation.sin(angle))
        }
    }
    return Tensor(shape: [timesteps.count, dimension], scalars: values)
}
