import Testing
@testable import Tensors

@Suite struct SymmetricEigendecompositionTests {
    /// [[2, 1], [1, 2]] has eigenvalues 1 and 3 with eigenvectors (1, −1)/√2 and (1, 1)/√2.
    @Test func twoByTwo() {
        let e = SymmetricEigendecomposition([2, 1, 1, 2], n: 2)
        #expect(e.values.sorted().enumerated().allSatisfy { abs($0.element - [1.0, 3.0][$0.offset]) < 1e-12 })
        let k3 = e.values[0] > e.values[1] ? 0 : 1
        #expect(abs(abs(e.vectors[0 * 2 + k3]) - 0.5.squareRoot()) < 1e-12 && abs(e.vectors[0 * 2 + k3] - e.vectors[1 * 2 + k3]) < 1e-12)
    }

    /// A block matrix with eigenvalues 3, 5 (the 2×2 block [[4, 1], [1, 4]]) and 2; each column v
    /// of the result satisfies A v = λ v, and the columns are orthonormal.
    @Test func eigenpairsSatisfyTheDefinition() {
        let a: [Double] = [4, 1, 0, 1, 4, 0, 0, 0, 2], n = 3
        let e = SymmetricEigendecomposition(a, n: n)
        #expect(zip(e.values.sorted(), [2.0, 3.0, 5.0]).allSatisfy { abs($0 - $1) < 1e-12 })
        for k in 0..<n {
            for i in 0..<n {
                let av = (0..<n).reduce(0.0) { $0 + a[i * n + $1] * e.vectors[$1 * n + k] }
                #expect(abs(av - e.values[k] * e.vectors[i * n + k]) < 1e-12)
            }
            for l in 0..<n {
                let d = (0..<n).reduce(0.0) { $0 + e.vectors[$1 * n + k] * e.vectors[$1 * n + l] }
                #expect(abs(d - (k == l ? 1 : 0)) < 1e-12)
            }
        }
    }
}
