import Datasets
import SceneGraphs

/// A pack's batches split over ranks like `ShapeWorldBatches` (DataParallel.swift): every rank
/// draws from the same stream and takes its block, the cursor moving past the whole batch.
extension PackedBatches {
    /// Examples `share` of the next `total`; the cursor moves past all `total`, as on one rank.
    mutating func next(_ share: Range<Int>, of total: Int) -> (images: [Float], graphs: [SceneGraph]) {
        nextIndex += share.lowerBound
        let batch = next(share.count)
        nextIndex += total - share.upperBound
        return batch
    }

    /// Images of examples `share` of the next `total` and the graphs of all `total`.
    mutating func next(imagesOf share: Range<Int>, graphsOf total: Int) -> (images: [Float], graphs: [SceneGraph]) {
        let first = nextIndex
        let (images, mine) = next(share, of: total)
        let graphs = (0..<total).map { i in share.contains(i) ? mine[i - share.lowerBound] : graph(at: first + i) }
        return (images, graphs)
    }
}
