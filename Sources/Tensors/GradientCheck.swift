/// Finite-difference check of an op's pullback: the one helper every op's test calls.
///
/// The op is reduced to the scalar L = Σ w·f(inputs) with fixed random weights w (summed in
/// Double), so every output element matters. For sampled input elements the central difference
/// (L(x+ε) − L(x−ε)) / 2ε is compared with the gradient from `backward`.
public struct GradientCheck {
    /// Worst normalised error over all sampled elements: |numeric − analytic| / max(1, |numeric|, |analytic|).
    public var maxError: Double
    /// Where it happened: "input 1 [37]: numeric 0.512 analytic 0.498".
    public var worst: String
    /// How many elements were compared.
    public var checked: Int

    /// Checks the gradients of `f` with respect to every input (all become leaves that require
    /// gradients). `samples` elements per input are perturbed (all of them for small inputs).
    public static func run(
        _ inputs: [Tensor], epsilon: Float = 1e-2, samples: Int = 24, seed: UInt64 = 7,
        _ f: ([Tensor]) -> Tensor
    ) -> GradientCheck {
        var rng = RandomGenerator(seed: seed)
        let leaves = inputs.map { x -> Tensor in let t = x.copy(); t.requiresGrad = true; return t }
        let output = f(leaves)
        let weights = Tensor.uniform(output.shape, low: -1, high: 1, using: &rng)
        output.backward(weights)
        let w = weights.scalars

        func loss() -> Double {
            GradMode.disabled {
                let y = f(leaves)
                return y.withData { ys in
                    var s = 0.0
                    for i in 0..<ys.count { s += Double(ys[i]) * Double(w[i]) }
                    return s
                }
            }
        }

        var report = GradientCheck(maxError: 0, worst: "", checked: 0)
        for (index, x) in leaves.enumerated() {
            let analytic = x.grad?.scalars ?? Array(repeating: 0, count: x.count)
            let picks = x.count <= samples ? Array(0..<x.count) : (0..<samples).map { _ in rng.nextInt(below: x.count) }
            for j in picks {
                let original = x.storage.pointer[j]
                x.storage.pointer[j] = original + epsilon
                let plus = loss()
                x.storage.pointer[j] = original - epsilon
                let minus = loss()
                x.storage.pointer[j] = original
                // The perturbation actually applied, after Float rounding.
                let h = Double(original + epsilon) - Double(original - epsilon)
                let numeric = (plus - minus) / h
                let a = Double(analytic[j])
                let error = abs(numeric - a) / max(1, abs(numeric), abs(a))
                report.checked += 1
                if error >= report.maxError {
                    report.maxError = error
                    report.worst = "input \(index) [\(j)]: numeric \(numeric) analytic \(a)"
                }
            }
        }
        return report
    }
}
