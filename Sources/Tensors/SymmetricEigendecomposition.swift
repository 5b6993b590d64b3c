// Cyclic Jacobi rotations on a dense symmetric matrix, in Double. O(n³) per sweep; it converges
// quadratically, so ~6–10 sweeps reach machine precision for the n ≤ a few hundred used here
// (feature covariances of the Fréchet distance). Our own rather than LAPACK's: the matrices are
// small, and the engine's one C dependency stays the BLAS interface.

/// Eigenvalues and eigenvectors of a symmetric matrix.
public struct SymmetricEigendecomposition {
    /// Eigenvalues, in no particular order.
    public let values: [Double]
    /// Eigenvectors as columns of a row-major n×n matrix: column k belongs to `values[k]`.
    public let vectors: [Double]
    public let n: Int

    /// Decomposes the row-major n×n symmetric `matrix` (only symmetry up to rounding is assumed).
    public init(_ matrix: [Double], n: Int) {
        require(matrix.count == n * n, "SymmetricEigendecomposition: \(matrix.count) values for a \(n)×\(n) matrix")
        var a = matrix, v = [Double](repeating: 0, count: n * n)
        for i in 0..<n { v[i * n + i] = 1 }
        let scale = a.reduce(0) { $0 + $1 * $1 }
        for _ in 0..<64 {
            var off = 0.0
            for p in 0..<n { for q in (p + 1)..<max(p + 1, n) { off += a[p * n + q] * a[p * n + q] } }
            if off <= 1e-30 * max(scale, 1e-300) { break }
            for p in 0..<n {
                for q in (p + 1)..<max(p + 1, n) {
                    let apq = a[p * n + q]
                    if apq == 0 { continue }
                    // The rotation that zeroes a[p][q] (the smaller angle, for stability).
                    let theta = (a[q * n + q] - a[p * n + p]) / (2 * apq)
                    let t = (theta >= 0 ? 1.0 : -1.0) / (abs(theta) + (theta * theta + 1).squareRoot())
                    let c = 1 / (t * t + 1).squareRoot(), s = t * c
                    for k in 0..<n {
                        let akp = a[k * n + p], akq = a[k * n + q]
                        a[k * n + p] = c * akp - s * akq
                        a[k * n + q] = s * akp + c * akq
                    }
                    for k in 0..<n {
                        let apk = a[p * n + k], aqk = a[q * n + k]
                        a[p * n + k] = c * apk - s * aqk
                        a[q * n + k] = s * apk + c * aqk
                    }
                    for k in 0..<n {
                        let vkp = v[k * n + p], vkq = v[k * n + q]
                        v[k * n + p] = c * vkp - s * vkq
                        v[k * n + q] = s * vkp + c * vkq
                    }
                }
            }
        }
        values = (0..<n).map { a[$0 * n + $0] }
        vectors = v
        self.n = n
    }
}
