import Foundation

/// Seeded xoshiro256** generator: the one source of randomness for a run, so the same seed gives
/// the same numbers on every machine (no platform generator, no libm-dependent tricks beyond
/// log/cos/sin in Box–Muller).
public struct RandomGenerator: RandomNumberGenerator, Sendable {
    private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

    public init(seed: UInt64) {
        // SplitMix64 spreads the seed over the 256-bit state (all-zero state is impossible).
        var x = seed
        func splitMix() -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = splitMix(); s1 = splitMix(); s2 = splitMix(); s3 = splitMix()
    }

    /// The whole generator state, to save with a checkpoint (there is nothing cached beside it:
    /// `nextNormal` draws afresh each time).
    public var state: [UInt64] { [s0, s1, s2, s3] }

    /// A generator that continues exactly where the one whose `state` was saved stopped.
    public init(state: [UInt64]) throws {
        guard state.count == 4 else { throw RandomGeneratorStateError.wrongLength(state.count) }
        // xoshiro's all-zero state is a fixed point: it would return 0 forever.
        guard state.contains(where: { $0 != 0 }) else { throw RandomGeneratorStateError.allZero }
        s0 = state[0]; s1 = state[1]; s2 = state[2]; s3 = state[3]
    }

    @inlinable
    static func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    public mutating func next() -> UInt64 {
        let result = RandomGenerator.rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = RandomGenerator.rotl(s3, 45)
        return result
    }

    /// Uniform in [0, 1) with 24 random bits.
    public mutating func nextFloat() -> Float { Float(next() >> 40) * (1.0 / 16_777_216.0) }

    /// Uniform in [0, 1) with 53 random bits.
    public mutating func nextDouble() -> Double { Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0) }

    /// Uniform integer in 0..<n.
    public mutating func nextInt(below n: Int) -> Int {
        require(n > 0, "nextInt(below: \(n)): the bound must be positive")
        return Int(next() % UInt64(n))   // modulo bias < 2^-40 for the sizes used here
    }

    /// Standard normal (Box–Muller, computed in Double).
    public mutating func nextNormal() -> Float {
        let u1 = max(nextDouble(), 1e-300), u2 = nextDouble()
        return Float((-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(2 * Double.pi * u2))
    }

    public mutating func fillNormal(_ p: UnsafeMutablePointer<Float>, count: Int, std: Float) {
        var i = 0
        while i + 1 < count {
            let u1 = max(nextDouble(), 1e-300), u2 = nextDouble()
            let r = (-2 * Foundation.log(u1)).squareRoot(), a = 2 * Double.pi * u2
            p[i] = Float(r * Foundation.cos(a)) * std
            p[i + 1] = Float(r * Foundation.sin(a)) * std
            i += 2
        }
        if i < count { p[i] = nextNormal() * std }
    }

    public mutating func fillUniform(_ p: UnsafeMutablePointer<Float>, count: Int, low: Float, high: Float) {
        let span = high - low
        for i in 0..<count { p[i] = low + span * nextFloat() }
    }
}

/// Why a saved generator state cannot be restored.
public enum RandomGeneratorStateError: Error, Equatable, CustomStringConvertible {
    case wrongLength(Int)
    case allZero

    public var description: String {
        switch self {
        case .wrongLength(let n): "random generator state has \(n) words, expected 4 (xoshiro256**)"
        case .allZero: "random generator state is all zero, which xoshiro256** never reaches"
        }
    }
}
