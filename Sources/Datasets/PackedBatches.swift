import SceneGraphs
import Tensors

/// Training batches from a prepared data set: its training examples (never a held-out one) in a
/// fresh order each epoch, drawn from the seed alone, so position k of the stream is the same
/// example on every run and a resumed run continues from `nextIndex` bit for bit. Images as
/// Float32 in [−1, 1], batch-major [B, 3, S, S], like `ShapeWorldBatches`.
public struct PackedBatches: Sendable {
    public let dataset: PackedDataset
    public let seed: UInt64
    /// Position of the next example in the stream.
    public var nextIndex: Int
    let training: [Int]
    private var epoch = -1
    private var order: [Int] = []

    public init(dataset: PackedDataset, seed: UInt64, startIndex: Int = 0) {
        let training = dataset.trainingIndices
        require(!training.isEmpty, "\(dataset.url.path) holds no training examples")
        self.dataset = dataset; self.seed = seed; self.nextIndex = startIndex; self.training = training
    }

    /// The example at stream position `position`.
    public mutating func example(at position: Int) -> Int {
        let e = position / training.count
        if e != epoch {
            // Fisher–Yates over the training examples with the epoch's own stream.
            var rng = SplitMix64(seed: seed &* 0x9E37_79B9_7F4A_7C15 ^ UInt64(e) &* 0xD1B5_4A32_D192_ED03)
            order = training
            for i in stride(from: order.count - 1, to: 0, by: -1) { order.swapAt(i, Int(rng.next() % UInt64(i + 1))) }
            epoch = e
        }
        return order[position % training.count]
    }

    /// The next `count` examples.
    public mutating func next(_ count: Int) -> (images: [Float], graphs: [SceneGraph]) {
        let s = dataset.size, plane = s * s
        var images = [Float](repeating: 0, count: count * 3 * plane)
        var graphs: [SceneGraph] = []
        graphs.reserveCapacity(count)
        for b in 0..<count {
            let i = example(at: nextIndex)
            nextIndex += 1
            graphs.append(dataset.graphs[i])
            images.withUnsafeMutableBufferPointer { out in
                dataset.planarImage(i, into: UnsafeMutableBufferPointer(rebasing: out[(b * 3 * plane)..<((b + 1) * 3 * plane)]))
            }
        }
        return (images, graphs)
    }

    /// The graph at stream position `position` (graphs of a whole batch without its images).
    public mutating func graph(at position: Int) -> SceneGraph { dataset.graphs[example(at: position)] }
}
