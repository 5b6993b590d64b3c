import GraphEncoder
import Tensors
import Testing
@testable import Training

/// A two-rank split computed in one process: each pretend rank builds its loss from the whole
/// batch's values (handed over as the all-gather would deliver them) with only its own rows live.
/// Every rank's loss must average to the one-rank loss, and the mean of the ranks' gradients — what
/// the gradient averager makes of them — must be the one-rank gradients.
@Suite struct GatheredRowsTests {
    static func leaf(_ shape: [Int], seed: UInt64) -> Tensor {
        var rng = RandomGenerator(seed: seed)
        let t = Tensor.normal(shape, using: &rng)
        t.requiresGrad = true
        return t
    }

    /// Rows `share` of `t` as a new leaf (a rank's own vectors).
    static func rows(_ t: Tensor, _ share: Range<Int>) -> Tensor {
        let width = t.count / t.shape[0]
        return Tensor(shape: [share.count] + t.shape.dropFirst(), scalars: Array(t.scalars[(share.lowerBound * width)..<(share.upperBound * width)]),
                      requiresGrad: true)
    }

    /// Largest |a − b| relative to the largest |a|.
    static func relativeDifference(_ a: [Float], _ b: [Float]) -> Float {
        let size = a.map(abs).max() ?? 0
        return zip(a, b).map { abs($0 - $1) }.max()! / max(size, 1e-30)
    }

    /// The mean over ranks of gradients that rank r holds for rows `shares[r]` only.
    static func averaged(_ pieces: [[Float]], shares: [Range<Int>], width: Int) -> [Float] {
        var out = [Float](repeating: 0, count: (shares.last?.upperBound ?? 0) * width)
        for (piece, share) in zip(pieces, shares) {
            for (i, g) in piece.enumerated() { out[share.lowerBound * width + i] += g / Float(shares.count) }
        }
        return out
    }

    @Test func contrastiveLossOfGatheredRowsHasTheOneRankGradients() {
        let b = 8, width = 16
        let graphs = Self.leaf([b, width], seed: 1), images = Self.leaf([b, width], seed: 2), negatives = Self.leaf([3, width], seed: 3)
        let scale = Tensor(shape: [1], scalars: [2.5], requiresGrad: true)
        let whole = contrastiveLoss(graphs: graphs, images: images, logitScale: scale, hardNegatives: negatives)
        whole.backward()

        // Rank 0 holds the originals of two flipped graphs, rank 1 of one.
        let negativeShares = [0..<2, 2..<3]
        var graphGrads: [[Float]] = [], imageGrads: [[Float]] = [], negativeGrads: [[Float]] = [], scaleGrad: Float = 0
        for r in 0..<2 {
            let parallel = DataParallel(PretendRank(r, of: 2))
            let shares = parallel.shares(of: b), share = shares[r], counts = shares.map(\.count)
            let g = Self.rows(graphs, share), v = Self.rows(images, share), h = Self.rows(negatives, negativeShares[r])
            let s = Tensor(shape: [1], scalars: scale.scalars, requiresGrad: true)
            let loss = contrastiveLoss(graphs: parallel.stacked(graphs.scalars, local: g, counts: counts),
                                       images: parallel.stacked(images.scalars, local: v, counts: counts),
                                       logitScale: s, hardNegatives: parallel.stacked(negatives.scalars, local: h, counts: negativeShares.map(\.count)))
            #expect(loss.item == whole.item, "every rank computes the whole loss")
            loss.backward()
            graphGrads.append(g.grad!.scalars); imageGrads.append(v.grad!.scalars); negativeGrads.append(h.grad!.scalars)
            scaleGrad += s.grad!.item / 2
        }
        let shares = DataParallel(PretendRank(0, of: 2)).shares(of: b)
        #expect(Self.relativeDifference(graphs.grad!.scalars, Self.averaged(graphGrads, shares: shares, width: width)) < 1e-6)
        #expect(Self.relativeDifference(images.grad!.scalars, Self.averaged(imageGrads, shares: shares, width: width)) < 1e-6)
        #expect(Self.relativeDifference(negatives.grad!.scalars, Self.averaged(negativeGrads, shares: negativeShares, width: width)) < 1e-6)
        // The logit scale is in every rank's copy of the loss: the average counts its gradient once.
        #expect(Self.relativeDifference(scale.grad!.scalars, [scaleGrad]) < 1e-6)
    }

    /// The masked-reconstruction loss is a mean over the masked positions of the whole batch; the
    /// ranks hold different numbers of them (5 and 2 here).
    @Test func maskedMeanOverSharesHasTheOneRankValueAndGradients() {
        let b = 4, tokens = 6, width = 3
        let prediction = Self.leaf([b, tokens, width], seed: 4), target = Self.leaf([b, tokens, width], seed: 5).detached()
        var flags = [Bool](repeating: false, count: b * tokens)
        for i in [0, 3, 4, 7, 11, 14, 20] { flags[i] = true }
        let count = flags.filter { $0 }.count
        func term(_ parallel: DataParallel, _ p: Tensor, _ share: Range<Int>) -> Tensor {
            let mine = Array(flags[(share.lowerBound * tokens)..<(share.upperBound * tokens)])
            let on = Tensor(shape: [share.count, tokens, 1], scalars: mine.map { $0 ? 1 : 0 })
            return parallel.globalMeanTerm(mseLoss(p * on, Self.rows(target, share).detached() * on), localCount: share.count * tokens, globalCount: count)
        }
        let whole = term(.single, prediction, 0..<b)
        whole.backward()
        let expected = Float(zip(prediction.scalars, target.scalars).enumerated()
            .filter { flags[$0.offset / width] }.map { Double(($0.element.0 - $0.element.1) * ($0.element.0 - $0.element.1)) }
            .reduce(0, +) / Double(count * width))
        #expect(abs(whole.item - expected) <= 1e-6 * expected)

        var value: Float = 0, grads: [[Float]] = []
        let shares = DataParallel(PretendRank(0, of: 2)).shares(of: b)
        for r in 0..<2 {
            let p = Self.rows(prediction, shares[r])
            let loss = term(DataParallel(PretendRank(r, of: 2)), p, shares[r])
            value += loss.item / 2
            loss.backward()
            grads.append(p.grad!.scalars)
        }
        #expect(abs(value - whole.item) <= 1e-6 * whole.item)
        #expect(Self.relativeDifference(prediction.grad!.scalars, Self.averaged(grads, shares: shares, width: tokens * width)) < 1e-6)
    }

    /// One rank gathers nothing: its rows come back as they are, with their gradient unscaled.
    @Test func oneRankKeepsItsRows() throws {
        let rows = Self.leaf([3, 4], seed: 6)
        #expect(try DataParallel.single.allGather(rows, counts: [3]) === rows)
    }
}
