import Collectives
import ShapeWorld
import Testing
import Tensors
@testable import Training

/// Rank `rank` of a pretend job of `size` ranks (collectives do nothing).
final class PretendRank: Communicator {
    let rank: Int, size: Int
    init(_ rank: Int, of size: Int) { self.rank = rank; self.size = size }
    func allReduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) throws {}
    func allReduceSum(_ buffer: UnsafeMutableBufferPointer<Double>) throws {}
    func broadcast(_ bytes: UnsafeMutableRawBufferPointer, root: Int) throws {}
    func barrier() throws {}
    func finalize() throws {}
    func abort(code: Int32) -> Never { fatalError("abort \(code)") }
}

@Suite struct DataParallelTests {
    /// The ranks' shares tile the global batch in rank order, so their union is one process's batch.
    @Test func sharesTileTheGlobalBatch() throws {
        for size in [1, 2, 4] {
            let shares = (0..<size).map { DataParallel(PretendRank($0, of: size)).share(of: 32) }
            #expect(shares.flatMap { Array($0) } == Array(0..<32))
            #expect(Set(shares.map(\.count)) == [32 / size])
        }
        #expect(throws: (any Error).self) { try DataParallel(PretendRank(0, of: 3)).checkSplits(batch: 32, key: "train.batch") }
    }

    /// Pretraining's share: the images of its scenes, the graphs of the whole batch, the cursor
    /// past the whole batch — all as one process renders them.
    @Test func aShareHasItsImagesAndEveryGraph() {
        var one = ShapeWorldBatches(renderer: ShapeWorldRenderer(size: 16), seed: 3), part = one
        let whole = one.next(8)
        let share = part.next(imagesOf: 4..<6, graphsOf: 8)
        let perImage = 3 * 16 * 16
        #expect(share.graphs == whole.graphs)
        #expect(share.images == Array(whole.images[(4 * perImage)..<(6 * perImage)]))
        #expect(part.nextIndex == one.nextIndex)
    }

    @Test func examplesAndScenesOfAShare() {
        let t = Tensor(shape: [4, 2], scalars: [0, 1, 2, 3, 4, 5, 6, 7])
        #expect(examples(t, 2..<4).scalars == [4, 5, 6, 7])
        #expect(examples(t, 2..<4).shape == [2, 2])
        #expect(examples(t, 0..<4) === t)
    }
}
