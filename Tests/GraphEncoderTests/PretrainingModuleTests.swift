import Foundation
import SceneGraphs
import NN
import Testing
import Tensors
@testable import GraphEncoder

@Suite struct PretrainingModuleTests {
    @Test func patchesCoveredByABox() {
        // A 4×4 grid; the box covers x 0.3…0.55 (columns 1–2), y 0…0.2 (row 0).
        #expect(patchesCovered(box: (0.3, 0.0, 0.55, 0.2), grid: 4) == [1, 2])
        // Edges on patch borders do not spill into the next patch.
        #expect(patchesCovered(box: (0.25, 0.25, 0.5, 0.5), grid: 4) == [5])
        #expect(patchesCovered(box: (0, 0, 1, 1), grid: 2) == [0, 1, 2, 3])
    }

    @Test func relationSwapFlipsOnePredicateToItsOpposite() throws {
        let g = SceneGraph(objects: ["a", "b", "c"], relationships: [Relationship(0, "left of", 1), Relationship(1, "__x__", 2), Relationship(2, "inside", 0)])
        #expect(g.flippableRelationships == [0, 2])
        #expect(g.flippingPredicate(at: 0).relationships.map(\.predicate) == ["right of", "__x__", "inside"])
        #expect(g.flippingPredicate(at: 2).relationships.map(\.predicate) == ["left of", "__x__", "surrounding"])
        for (p, q) in oppositePredicates { #expect(oppositePredicates[q] == p) }
    }

    @Test func imageEncoderShapes() {
        var rng = RandomGenerator(seed: 1)
        let e = ImageEncoder(ImageEncoderConfiguration(imageSize: 16, patch: 4, width: 8, depth: 2, heads: 2, globalDimension: 6), rng: &rng)
        let x = Tensor.normal([3, 3, 16, 16], using: &rng)
        let tokens = e.encode(e.embed(x))
        #expect(tokens.shape == [3, 16, 8])
        #expect(e.global(tokens).shape == [3, 6])
        #expect(e.namedParameters().map(\.0).contains("pos"))
    }

    /// Positions start as 2-D sine-cosine: the row in the first half of the channels, the column in the second.
    @Test func imagePositionsStartAsSineCosine() {
        let p = sineCosinePositions(rows: 2, columns: 2, width: 8)
        // width 8: quarter 2, ω = (1, 0.01); token 2 is row 1, column 0.
        let row1: [Float] = [Float(Foundation.sin(1.0)), Float(Foundation.sin(0.01)), Float(Foundation.cos(1.0)), Float(Foundation.cos(0.01))]
        #expect(Array(p[16..<20]) == row1 && Array(p[20..<24]) == [0, 0, 1, 1])
        #expect(Array(p[8..<12]) == [0, 0, 1, 1] && Array(p[12..<16]) == row1)   // token 1: row 0, column 1
        var rng = RandomGenerator(seed: 3)
        let e = ImageEncoder(ImageEncoderConfiguration(imageSize: 8, patch: 4, width: 8, depth: 1, heads: 2, globalDimension: 6), rng: &rng)
        #expect(e.positions.scalars == p && e.positions.requiresGrad)
    }

    /// The contrastive loss's value against a hand computation, and its gradients by finite differences.
    @Test func contrastiveLossValueAndGradients() {
        let g = Tensor(shape: [2, 2], scalars: [1, 0, 0, 1]), v = Tensor(shape: [2, 2], scalars: [1, 0, 1, 1])
        let scale = Tensor(shape: [1], scalars: [0])          // e^0 = 1
        // cos: g0·v0 = 1, g0·v1 = 1/√2, g1·v0 = 0, g1·v1 = 1/√2
        let r = 1 / 2.0.squareRoot()
        func ce(_ logits: [Double], _ label: Int) -> Double { -logits[label] + Foundation.log(logits.map { Foundation.exp($0) }.reduce(0, +)) }
        let g2i = (ce([1, r], 0) + ce([0, r], 1)) / 2
        let i2g = (ce([1, 0], 0) + ce([r, r], 1)) / 2
        #expect(abs(Double(contrastiveLoss(graphs: g, images: v, logitScale: scale).item) - (g2i + i2g) / 2) < 1e-5)
        // A hard negative equal to image 0's own graph direction but flipped sign joins image→graph only.
        let hard = Tensor(shape: [1, 2], scalars: [0, -1])
        let i2gHard = (ce([1, 0, 0], 0) + ce([r, r, -r], 1)) / 2
        #expect(abs(Double(contrastiveLoss(graphs: g, images: v, logitScale: scale, hardNegatives: hard).item) - (g2i + i2gHard) / 2) < 1e-5)
        // A hard negative image (here (1, -1)/√2) joins graph→image only.
        let hardImage = Tensor(shape: [1, 2], scalars: [1, -1])
        let g2iHard = (ce([1, r, r], 0) + ce([0, r, -r], 1)) / 2
        #expect(abs(Double(contrastiveLoss(graphs: g, images: v, logitScale: scale, hardNegativeImages: hardImage).item) - (g2iHard + i2g) / 2) < 1e-5)
        var rng = RandomGenerator(seed: 4)
        let inputs = [Tensor.normal([3, 4], using: &rng), Tensor.normal([3, 4], using: &rng), Tensor(shape: [1], scalars: [0.7]),
                      Tensor.normal([2, 4], using: &rng), Tensor.normal([2, 4], using: &rng)]
        let check = GradientCheck.run(inputs, epsilon: 1e-3) {
            contrastiveLoss(graphs: $0[0], images: $0[1], logitScale: $0[2], hardNegatives: $0[3], hardNegativeImages: $0[4])
        }
        #expect(check.maxError < 2e-3, "\(check.worst)")
    }
}
