import Testing
import Tensors

@Suite struct RandomGeneratorTests {
    /// Mixed draws, so a state that forgot anything would diverge somewhere in the stream.
    private func draws(_ rng: inout RandomGenerator, count: Int) -> [UInt64] {
        var out: [UInt64] = []
        var buffer = [Float](repeating: 0, count: 3)
        for i in 0..<count {
            switch i % 4 {
            case 0: out.append(UInt64(rng.nextFloat().bitPattern))
            case 1: out.append(UInt64(rng.nextNormal().bitPattern))
            case 2: out.append(UInt64(rng.nextInt(below: 1000 + i)))
            default:
                buffer.withUnsafeMutableBufferPointer { rng.fillNormal($0.baseAddress!, count: 3, std: 2) }
                out.append(contentsOf: buffer.map { UInt64($0.bitPattern) })
            }
        }
        return out
    }

    @Test func restoredStateContinuesTheStream() throws {
        var rng = RandomGenerator(seed: 42)
        _ = draws(&rng, count: 137)
        let saved = rng.state
        let expected = draws(&rng, count: 1000)
        var restored = try RandomGenerator(state: saved)
        #expect(draws(&restored, count: 1000) == expected)
    }

    @Test func stateIsTheOneFromTheSeed() throws {
        var a = RandomGenerator(seed: 7)
        var b = try RandomGenerator(state: RandomGenerator(seed: 7).state)
        #expect((0..<10).map { _ in a.next() } == (0..<10).map { _ in b.next() })
    }

    @Test func rejectsWrongLengthAndAllZero() {
        #expect(throws: RandomGeneratorStateError.wrongLength(3)) { try RandomGenerator(state: [1, 2, 3]) }
        #expect(throws: RandomGeneratorStateError.wrongLength(0)) { try RandomGenerator(state: []) }
        #expect(throws: RandomGeneratorStateError.allZero) { try RandomGenerator(state: [0, 0, 0, 0]) }
        #expect((try? RandomGenerator(state: [0, 0, 0, 1])) != nil)
    }
}

@Suite struct RandomGeneratorBoundsTests {
    @Test func nonPositiveBoundStopsWithAMessage() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            var rng = RandomGenerator(seed: 1)
            _ = rng.nextInt(below: 0)
        }
        let stderr = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(stderr.contains("nextInt(below: 0): the bound must be positive"))
    }
}
