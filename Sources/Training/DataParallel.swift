import Collectives
import Diffusion
import Foundation
import NN
import SceneGraphs
import ShapeWorld
import Tensors

/// A training process's place in a data-parallel job. The config's batch is the global batch;
/// rank r computes the contiguous block r·B/N ..< (r+1)·B/N of it and draws every random number
/// of the whole batch from the shared stream (keeping its block), so N ranks see exactly the
/// examples, noise and timesteps one process would. Gradients are averaged over ranks before the
/// optimizer step; rank 0 alone writes the run folder.
public final class DataParallel {
    public let communicator: any Communicator
    private let gradients: GradientAverager
    /// Seconds the last step spent averaging gradients, once every rank was ready.
    public private(set) var lastAllReduceSeconds = 0.0
    /// Seconds the last step waited for the slowest rank before averaging.
    public private(set) var lastWaitSeconds = 0.0

    public init(_ communicator: any Communicator) {
        self.communicator = communicator
        gradients = GradientAverager(communicator)
    }

    /// One process, no communication.
    public static var single: DataParallel { DataParallel(SingleProcessCommunicator()) }

    /// MPI when started by mpirun or srun, else a single process.
    public static func fromEnvironment() throws -> DataParallel { DataParallel(try Communicators.fromEnvironment()) }

    /// Whether this process writes the run folder.
    public var isRoot: Bool { communicator.rank == 0 }

    /// A one-line description for the start of a run ("rank 0 of 2").
    public var summary: String { "rank \(communicator.rank) of \(communicator.size)" }

    /// Refuses a global batch that does not split evenly over the ranks (the shares must be equal
    /// for the mean of the ranks' means to be the global mean).
    public func checkSplits(batch: Int, key: String) throws {
        let n = communicator.size
        guard batch % n == 0 else {
            throw ConfigurationError(source: "config", key: key, message: "the batch of \(batch) does not split evenly over \(n) ranks")
        }
    }

    /// This rank's examples of a global batch of `batch`.
    public func share(of batch: Int) -> Range<Int> { shares(of: batch)[communicator.rank] }

    /// Every rank's examples of a global batch of `batch`, in rank order.
    public func shares(of batch: Int) -> [Range<Int>] {
        let n = communicator.size
        return (0..<n).map { r in (r * batch / n)..<((r + 1) * batch / n) }
    }

    /// Replaces each parameter's gradient by its mean over ranks.
    public func averageGradients(_ parameters: [Tensor]) throws {
        guard communicator.size > 1 else { return }
        // The barrier separates waiting for a slower rank (uneven scenes) from the transfer itself.
        let start = DispatchTime.now().uptimeNanoseconds
        try communicator.barrier()
        let ready = DispatchTime.now().uptimeNanoseconds
        try gradients.average(parameters)
        lastWaitSeconds = Double(ready - start) / 1e9
        lastAllReduceSeconds = Double(DispatchTime.now().uptimeNanoseconds - ready) / 1e9
    }

    /// The mean over ranks of each logged value (plus `allreduce_ms` and `rank_wait_ms` with
    /// several ranks), and
    /// whether any rank was asked to stop: all ranks stop after the same step, or the others would
    /// wait for it forever in the next all-reduce.
    func agree(_ values: [(String, Double)], stop: Bool) throws -> (values: [(String, Double)], stop: Bool) {
        guard communicator.size > 1 else { return (values, stop) }
        var buffer = values.map(\.1) + [lastAllReduceSeconds * 1000, lastWaitSeconds * 1000, stop ? 1 : 0]
        try communicator.allReduceSum(&buffer)
        let n = Double(communicator.size), k = values.count
        let means = zip(values, buffer).map { ($0.0, $1 / n) } + [("allreduce_ms", buffer[k] / n), ("rank_wait_ms", buffer[k + 1] / n)]
        return (means, buffer[k + 2] > 0)
    }

    /// Gives every rank rank 0's whole training state (weights, optimizer, generator, data cursor,
    /// step): all ranks start from rank 0's weights, and only rank 0 reads checkpoints.
    func synchronize(_ task: any TrainingTask) throws {
        guard communicator.size > 1 else { return }
        let mine = isRoot ? try SafeTensorsFile(tensors: task.checkpointState()).serialized() : []
        let state = try communicator.broadcast(mine, root: 0)
        if !isRoot { try task.restore(from: try SafeTensorsFile(bytes: state, source: "rank 0's state"), source: "rank 0's state") }
    }
}

/// Rows `share` of a batch-major tensor (all of it when the share is the whole batch).
func examples(_ t: Tensor, _ share: Range<Int>) -> Tensor {
    let batch = t.shape[0]
    guard share != 0..<batch else { return t }
    let per = t.count / batch
    let out = Tensor.uninitialized([share.count] + t.shape.dropFirst())
    out.storage.pointer.update(from: t.storage.pointer + share.lowerBound * per, count: share.count * per)
    return out
}

/// A resumable stream of training examples — ShapeWorld's generator or a prepared pack — as data
/// parallelism splits it: every rank draws from the same stream and takes its block of a batch.
protocol ExampleStream {
    var nextIndex: Int { get set }
    mutating func next(_ count: Int) -> (images: [Float], graphs: [SceneGraph])
    /// The graph of the example at stream position `index`, without its image.
    mutating func graph(at index: Int) -> SceneGraph
}

extension ShapeWorldBatches: ExampleStream {
    func graph(at index: Int) -> SceneGraph { renderer.scene(seed: seed, index: index).graph }
}

extension ExampleStream {
    /// Examples `share` of the next `total`; the cursor moves past all `total`, as on one rank.
    mutating func next(_ share: Range<Int>, of total: Int) -> (images: [Float], graphs: [SceneGraph]) {
        nextIndex += share.lowerBound
        let batch = next(share.count)
        nextIndex += total - share.upperBound
        return batch
    }

    /// Images of examples `share` of the next `total` and the graphs of all `total`, for draws made
    /// per graph of the whole batch; the cursor moves past all `total`, as on one rank.
    mutating func next(imagesOf share: Range<Int>, graphsOf total: Int) -> (images: [Float], graphs: [SceneGraph]) {
        let first = nextIndex
        let (images, mine) = next(share, of: total)
        var graphs: [SceneGraph] = []
        for i in 0..<total { graphs.append(share.contains(i) ? mine[i - share.lowerBound] : graph(at: first + i)) }
        return (images, graphs)
    }
}
