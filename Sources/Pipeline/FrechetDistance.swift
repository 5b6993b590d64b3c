import Tensors

/// The Fréchet distance between Gaussians fitted to two sets of feature vectors:
/// ‖μ₁ − μ₂‖² + Tr Σ₁ + Tr Σ₂ − 2 Tr (Σ₁^½ Σ₂ Σ₁^½)^½. With our pretrained image encoder's global
/// vectors as the features it is the analogue of FID on a learned feature space of our own — not
/// FID (no Inception network), and comparable only between runs that use the same encoder file.
public enum FrechetDistance {
    /// The distance between the rows of `a` [n, d] and of `b` [m, d] (row-major; n, m ≥ 2).
    public static func between(_ a: [Float], rows n: Int, _ b: [Float], rows m: Int, dimension d: Int) -> Double {
        require(n >= 2 && m >= 2 && a.count == n * d && b.count == m * d, "FrechetDistance: need ≥ 2 rows of \(d) values on each side")
        let (mu1, sigma1) = moments(a, rows: n, dimension: d), (mu2, sigma2) = moments(b, rows: m, dimension: d)
        var meanTerm = 0.0
        for i in 0..<d { meanTerm += (mu1[i] - mu2[i]) * (mu1[i] - mu2[i]) }
        var traces = 0.0
        for i in 0..<d { traces += sigma1[i * d + i] + sigma2[i * d + i] }
        // Σ₁^½ from Σ₁'s eigenvectors; then Σ₁^½ Σ₂ Σ₁^½ is symmetric, and the trace of its root is
        // the sum of its eigenvalues' roots (negative ones are rounding of a singular covariance).
        let root1 = squareRoot(sigma1, d)
        let inner = multiply(multiply(root1, sigma2, d), root1, d)
        let crossTrace = SymmetricEigendecomposition(inner, n: d).values.reduce(0) { $0 + max($1, 0).squareRoot() }
        return max(meanTerm + traces - 2 * crossTrace, 0)
    }

    /// Mean [d] and covariance [d, d] (unbiased, divided by n − 1) of n rows.
    static func moments(_ x: [Float], rows n: Int, dimension d: Int) -> ([Double], [Double]) {
        var mu = [Double](repeating: 0, count: d)
        for r in 0..<n { for i in 0..<d { mu[i] += Double(x[r * d + i]) } }
        for i in 0..<d { mu[i] /= Double(n) }
        var sigma = [Double](repeating: 0, count: d * d)
        var centred = [Double](repeating: 0, count: d)
        for r in 0..<n {
            for i in 0..<d { centred[i] = Double(x[r * d + i]) - mu[i] }
            for i in 0..<d { let ci = centred[i]; for j in i..<d { sigma[i * d + j] += ci * centred[j] } }
        }
        for i in 0..<d { for j in i..<d { sigma[i * d + j] /= Double(n - 1); sigma[j * d + i] = sigma[i * d + j] } }
        return (mu, sigma)
    }

    /// The symmetric square root of a positive semi-definite matrix.
    static func squareRoot(_ m: [Double], _ d: Int) -> [Double] {
        let e = SymmetricEigendecomposition(m, n: d)
        var out = [Double](repeating: 0, count: d * d)
        for k in 0..<d {
            let r = max(e.values[k], 0).squareRoot()
            if r == 0 { continue }
            for i in 0..<d { let vik = e.vectors[i * d + k] * r; for j in 0..<d { out[i * d + j] += vik * e.vectors[j * d + k] } }
        }
        return out
    }

    static func multiply(_ a: [Double], _ b: [Double], _ d: Int) -> [Double] {
        var out = [Double](repeating: 0, count: d * d)
        for i in 0..<d { for k in 0..<d { let aik = a[i * d + k]; if aik == 0 { continue }; for j in 0..<d { out[i * d + j] += aik * b[k * d + j] } } }
        return out
    }
}
