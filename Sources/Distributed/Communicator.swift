/// The collective operations data-parallel training needs, over the ranks of one job: a single
/// process (`SingleProcessCommunicator`) or the processes `mpirun` started (`MPICommunicator`).
/// Every rank must call the same operations in the same order, as in MPI.
public protocol Communicator: AnyObject {
    /// This process's index among the ranks, 0 ..< size.
    var rank: Int { get }
    /// The number of ranks.
    var size: Int { get }
    /// Replaces `buffer` on every rank by the element-wise sum over all ranks.
    func allReduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) throws
    /// Replaces `buffer` on every rank by the element-wise sum over all ranks.
    func allReduceSum(_ buffer: UnsafeMutableBufferPointer<Double>) throws
    /// Copies `bytes` of rank `root` into `bytes` of every other rank (same length on all ranks).
    func broadcast(_ bytes: UnsafeMutableRawBufferPointer, root: Int) throws
    /// Returns once every rank has called it.
    func barrier() throws
    /// Ends the job's communication cleanly; call once, on every rank, after the last collective.
    func finalize() throws
    /// Ends every rank of the job at once with `code` (an error on one rank must not leave the
    /// others waiting in a collective).
    func abort(code: Int32) -> Never
}

extension Communicator {
    /// Sums `values` element-wise over all ranks, in place.
    public func allReduceSum(_ values: inout [Float]) throws {
        try values.withUnsafeMutableBufferPointer { try allReduceSum($0) }
    }

    /// Sums `values` element-wise over all ranks, in place.
    public func allReduceSum(_ values: inout [Double]) throws {
        try values.withUnsafeMutableBufferPointer { try allReduceSum($0) }
    }

    /// Rank `root`'s bytes on every rank; other ranks' `bytes` only give nothing (their length is
    /// broadcast first).
    public func broadcast(_ bytes: [UInt8], root: Int) throws -> [UInt8] {
        guard size > 1 else { return bytes }
        var length = [Double(rank == root ? bytes.count : 0)]
        try length.withUnsafeMutableBytes { try broadcast($0, root: root) }
        var out = rank == root ? bytes : [UInt8](repeating: 0, count: Int(length[0]))
        try out.withUnsafeMutableBytes { try broadcast($0, root: root) }
        return out
    }
}
