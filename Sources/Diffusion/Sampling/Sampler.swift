import Tensors

/// A reverse-diffusion solver. It sees tensors and an ε function only — nothing of graphs,
/// models or guidance — so every sampler runs unchanged on a toy ε with a known answer.
///
/// Notation throughout Sampling/: α_t = √ᾱ_t (`schedule.signal(t)`), σ_t = √(1 − ᾱ_t)
/// (`schedule.noise(t)`), λ_t = log(α_t/σ_t), x̂_0 = (x_t − σ_t ε)/α_t. After the last visited
/// timestep every sampler jumps to the clean image (ᾱ = 1, σ = 0), where x_0 = x̂_0.
public protocol Sampler: Sendable {
    /// The timesteps the sampler visits, noisiest first.
    func timesteps(schedule: NoiseSchedule) -> [Int]

    /// Runs the reverse process from x_T = `initial` [B, C, H, W] to x_0. `epsilon(x_t, t)` predicts
    /// the noise for the whole batch at timestep t; `noise(i)` returns fresh standard-normal noise
    /// [C, H, W] for image i, drawn from that image's own generator, so an image never depends on
    /// the batch it is in. An error thrown by `epsilon` (a cancelled request) stops the loop there.
    func sample(initial: Tensor, schedule: NoiseSchedule, epsilon: (Tensor, Int) throws -> Tensor, noise: (Int) -> Tensor) rethrows -> Tensor
}

// MARK: - Arithmetic shared by the samplers
//
// Coefficients are Double; each element is combined in Double and rounded to Float once, so the
// samplers add no Float32 error of their own beyond storing x_t.

/// x̂_0 = (x − σ ε)/α, clamped to [−1, 1] when `clip` is set. At the noisiest steps α is tiny
/// (≈ 5e-5 at t = T − 1 under the cosine schedule), so an unclipped x̂_0 carries the model's ε
/// error times σ/α ≈ 2·10⁴; the data lie in [−1, 1], so clamping loses nothing true.
func predictedCleanImage(x: Tensor, epsilon: Tensor, signal alpha: Double, noise sigma: Double, clip: Bool) -> Tensor {
    require(x.shape == epsilon.shape, "ε has shape \(epsilon.shape), x_t has \(x.shape)")
    let out = Tensor.uninitialized(x.shape)
    let n = x.count, inverseAlpha = 1 / alpha
    x.withData { xs in epsilon.withData { es in out.withMutableData { o in
        for i in 0..<n {
            var v = (Double(xs[i]) - sigma * Double(es[i])) * inverseAlpha
            if clip { v = min(max(v, -1), 1) }
            o[i] = Float(v)
        }
    } } }
    return out
}

/// a·x + b·y, elementwise.
func combination(_ a: Double, _ x: Tensor, _ b: Double, _ y: Tensor) -> Tensor {
    require(x.shape == y.shape, "shapes \(x.shape) and \(y.shape) differ")
    let out = Tensor.uninitialized(x.shape)
    let n = x.count
    x.withData { xs in y.withData { ys in out.withMutableData { o in
        for i in 0..<n { o[i] = Float(a * Double(xs[i]) + b * Double(ys[i])) }
    } } }
    return out
}

/// a·x + b·y + c·z, elementwise.
func combination(_ a: Double, _ x: Tensor, _ b: Double, _ y: Tensor, _ c: Double, _ z: Tensor) -> Tensor {
    require(x.shape == y.shape && x.shape == z.shape, "shapes \(x.shape), \(y.shape) and \(z.shape) differ")
    let out = Tensor.uninitialized(x.shape)
    let n = x.count
    x.withData { xs in y.withData { ys in z.withData { zs in out.withMutableData { o in
        for i in 0..<n { o[i] = Float(a * Double(xs[i]) + b * Double(ys[i]) + c * Double(zs[i])) }
    } } } }
    return out
}

/// Adds `scale` × fresh noise to every image of `x` in place; `x` must be a tensor the caller owns.
/// Image i's noise comes from `noise(i)`, that image's own generator.
func addNoise(to x: Tensor, scale: Double, noise: (Int) -> Tensor) {
    guard scale > 0 else { return }
    let batch = x.shape[0], perImage = x.count / max(batch, 1)
    x.withMutableData { xs in
        for image in 0..<batch {
            let z = noise(image)
            require(z.count == perImage && Array(z.shape) == Array(x.shape.dropFirst()),
                         "noise(\(image)) has shape \(z.shape), one image of x_t has \(Array(x.shape.dropFirst()))")
            z.withData { zs in
                let base = image * perImage
                for j in 0..<perImage { xs[base + j] = Float(Double(xs[base + j]) + scale * Double(zs[j])) }
            }
        }
    }
}

/// ᾱ of the timestep after position `index` in `timesteps`, or 1 (the clean image) after the last.
func nextAlphaCumprod(_ timesteps: [Int], after index: Int, schedule: NoiseSchedule) -> Double {
    index + 1 < timesteps.count ? schedule.alphasCumprod[timesteps[index + 1]] : 1
}
