import Testing
@testable import Pipeline

@Suite struct FrechetDistanceTests {
    /// One dimension: {−1, 1} has mean 0 and variance 2, {2, 4} mean 3 and variance 2:
    /// 9 + 2 + 2 − 2·√(2·2) = 9.
    @Test func oneDimension() {
        #expect(abs(FrechetDistance.between([-1, 1], rows: 2, [2, 4], rows: 2, dimension: 1) - 9) < 1e-9)
    }

    @Test func aSetIsAtDistanceZeroFromItself() {
        let a: [Float] = [1, 0, -1, 0, 0, 2, 0, -2, 0.5, 0.25]
        #expect(FrechetDistance.between(a, rows: 5, a, rows: 5, dimension: 2) < 1e-9)
    }

    /// Two dimensions, covariances that do not commute: A = {(±1, 0), (0, ±2)} has mean 0 and
    /// Σ₁ = diag(2/3, 8/3); B = {(1 ± 1, 1 ± 1)} has mean (1, 1) and Σ₂ = [[4/3, 4/3], [4/3, 4/3]].
    /// For 2×2 matrices Tr √M = √(Tr M + 2√det M) with M = Σ₁^½ Σ₂ Σ₁^½, whose trace is
    /// Tr(Σ₁Σ₂) = 8/9 + 32/9 = 40/9 and determinant det Σ₁ · det Σ₂ = 0: Tr √M = √(40/9).
    @Test func nonCommutingCovariances() {
        let a: [Float] = [1, 0, -1, 0, 0, 2, 0, -2]
        let b: [Float] = [2, 2, 0, 0, 2, 2, 0, 0]
        let expected = 2.0 + (2.0 / 3 + 8.0 / 3) + (4.0 / 3 + 4.0 / 3) - 2 * (40.0 / 9).squareRoot()
        #expect(abs(FrechetDistance.between(a, rows: 4, b, rows: 4, dimension: 2) - expected) < 1e-9)
    }
}
