import Testing
@testable import Tensors

@Suite struct IndexingTests {
    @Test func gatherAndScatterMatchLoops() {
        let x = randomTensor([4, 3], seed: 1)
        let idx = [2, 0, 2, 3, 1]
        let g = indexSelect(x, idx)
        for (i, j) in idx.enumerated() { #expect(Array(g.scalars[i * 3..<i * 3 + 3]) == Array(x.scalars[j * 3..<j * 3 + 3])) }
        let base = randomTensor([4, 3], seed: 2)
        let s = indexAdd(base, idx, g)
        var expected = base.scalars
        for (i, j) in idx.enumerated() { for c in 0..<3 { expected[j * 3 + c] += g.scalars[i * 3 + c] } }
        #expect(maxAbsDifference(s.scalars, expected) < 1e-6)
    }

    @Test func gradientsOfGatherScatterAndEmbedding() {
        let idx = [1, 1, 0, 3]
        let sel = GradientCheck.run([randomTensor([4, 2], seed: 3)]) { indexSelect($0[0], idx) }
        #expect(sel.maxError < gradientTolerance, "\(sel.worst)")
        let add = GradientCheck.run([randomTensor([5, 2], seed: 4), randomTensor([4, 2], seed: 5)]) { indexAdd($0[0], idx, $0[1]) }
        #expect(add.maxError < gradientTolerance, "\(add.worst)")
        let emb = GradientCheck.run([randomTensor([6, 3], seed: 6)]) { embedding($0[0], [5, 0, 5]) }
        #expect(emb.maxError < gradientTolerance, "\(emb.worst)")
    }
}
