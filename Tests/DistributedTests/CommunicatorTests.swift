import Testing
import Tensors
@testable import Collectives

/// Rank 0 of a pretend two-rank job whose other rank holds `factor` times this rank's values.
final class ScaledPeerCommunicator: Communicator {
    let factor: Float
    init(factor: Float) { self.factor = factor }
    var rank: Int { 0 }
    var size: Int { 2 }
    func allReduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) throws { for i in buffer.indices { buffer[i] *= 1 + factor } }
    func allReduceSum(_ buffer: UnsafeMutableBufferPointer<Double>) throws { for i in buffer.indices { buffer[i] *= Double(1 + factor) } }
    func broadcast(_ bytes: UnsafeMutableRawBufferPointer, root: Int) throws {}
    func barrier() throws {}
    func finalize() throws {}
    func abort(code: Int32) -> Never { fatalError("abort \(code)") }
}

@Suite struct CommunicatorTests {
    @Test func singleProcessLeavesBuffersAlone() throws {
        let c = SingleProcessCommunicator()
        var values: [Float] = [1, 2, 3]
        try c.allReduceSum(&values)
        #expect(values == [1, 2, 3])
        #expect(try c.broadcast([7, 8], root: 0) == [7, 8])
        var byte: [UInt8] = [1]
        #expect(throws: CommunicatorError.self) { try byte.withUnsafeMutableBytes { try c.broadcast($0, root: 1) } }
    }

    @Test func launchersAreRecognised() throws {
        #expect(try !Communicators.wantsMPI([:]))
        #expect(try Communicators.wantsMPI(["OMPI_COMM_WORLD_SIZE": "2"]))
        #expect(try Communicators.wantsMPI(["PMIX_RANK": "0"]))
        #expect(try !Communicators.wantsMPI(["OMPI_COMM_WORLD_SIZE": "2", "SGD_COMMUNICATOR": "single"]))
        #expect(try Communicators.wantsMPI(["SGD_COMMUNICATOR": "mpi"]))
        do {
            _ = try Communicators.wantsMPI(["SGD_COMMUNICATOR": "nccl"])
            Issue.record("an unknown communicator was accepted")
        } catch { #expect("\(error)".contains("'nccl' is not mpi or single")) }
    }

    /// The mean over ranks replaces each gradient; a parameter no rank has a gradient for keeps
    /// none (AdamW then skips it, as on one process).
    @Test func gradientsAreAveragedOverRanks() throws {
        let a = Tensor(shape: [2, 2], scalars: [0, 0, 0, 0]), b = Tensor(shape: [3], scalars: [0, 0, 0])
        let c = Tensor(shape: [1], scalars: [0])
        a.grad = Tensor(shape: [2, 2], scalars: [1, 2, 3, 4])
        c.grad = Tensor(shape: [1], scalars: [-2])
        let original = a.grad!
        try GradientAverager(ScaledPeerCommunicator(factor: 3)).average([a, b, c])
        #expect(a.grad?.scalars == [2, 4, 6, 8])
        #expect(b.grad == nil)
        #expect(c.grad?.scalars == [-4])
        #expect(original.scalars == [1, 2, 3, 4])
    }
}

/// Rank `rank` of a pretend two-rank job whose other rank contributes `peer` to every float sum.
final class PeerCommunicator: Communicator {
    let rank: Int, peer: [Float]
    init(rank: Int, peer: [Float]) { self.rank = rank; self.peer = peer }
    var size: Int { 2 }
    func allReduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) throws {
        precondition(buffer.count == peer.count, "the peer contributes \(peer.count) values, not \(buffer.count)")
        for i in buffer.indices { buffer[i] += peer[i] }
    }
    func allReduceSum(_ buffer: UnsafeMutableBufferPointer<Double>) throws {}
    func broadcast(_ bytes: UnsafeMutableRawBufferPointer, root: Int) throws {}
    func barrier() throws {}
    func finalize() throws {}
    func abort(code: Int32) -> Never { fatalError("abort \(code)") }
}

@Suite struct AllGatherTests {
    /// Each rank's values land at its offset, the others' arrive through the sum.
    @Test func ranksValuesJoinInRankOrder() throws {
        let first = PeerCommunicator(rank: 0, peer: [0, 0, 3, -0.5, 5])
        #expect(try first.allGather([1, 2], counts: [2, 3]) == [1, 2, 3, -0.5, 5])
        let second = PeerCommunicator(rank: 1, peer: [1, 2, 0, 0, 0])
        #expect(try second.allGather([3, -0.5, 5], counts: [2, 3]) == [1, 2, 3, -0.5, 5])
        let empty = PeerCommunicator(rank: 1, peer: [7])
        #expect(try empty.allGather([], counts: [1, 0]) == [7])
    }

    @Test func oneRankGathersItsOwnValues() throws {
        #expect(try SingleProcessCommunicator().allGather([4, 5], counts: [2]) == [4, 5])
    }
}
