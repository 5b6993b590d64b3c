import Testing
import Tensors

@Suite struct BLASTests {
    /// An empty product with beta 0 must overwrite C, even when C holds garbage.
    @Test func emptyProductWithBetaZeroClearsGarbage() {
        let a: [Float] = [1], b: [Float] = [1]
        var c = [Float](repeating: .nan, count: 6)
        c.withUnsafeMutableBufferPointer { cp in
            BLAS.gemm(m: 2, n: 3, k: 0, a: a, b: b, beta: 0, c: cp.baseAddress!)
        }
        #expect(c == [0, 0, 0, 0, 0, 0])
    }

    /// With beta ≠ 0 an empty product scales C, and leaves the padding beyond n alone.
    @Test func emptyProductScalesByBetaWithinLeadingDimension() {
        let a: [Float] = [1], b: [Float] = [1]
        var c: [Float] = [1, 2, .nan, 3, 4, .nan]
        c.withUnsafeMutableBufferPointer { cp in
            BLAS.gemm(m: 2, n: 2, k: 0, a: a, b: b, beta: 0.5, c: cp.baseAddress!, ldc: 3)
        }
        #expect(c[0] == 0.5 && c[1] == 1 && c[3] == 1.5 && c[4] == 2)
        #expect(c[2].isNaN && c[5].isNaN)
    }
}
