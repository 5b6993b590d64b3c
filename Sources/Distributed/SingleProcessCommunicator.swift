import Foundation

/// One rank, no communication: every collective leaves its buffer as it is.
public final class SingleProcessCommunicator: Communicator {
    public init() {}
    public var rank: Int { 0 }
    public var size: Int { 1 }
    public func allReduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) throws {}
    public func allReduceSum(_ buffer: UnsafeMutableBufferPointer<Double>) throws {}
    public func broadcast(_ bytes: UnsafeMutableRawBufferPointer, root: Int) throws {
        guard root == 0 else { throw CommunicatorError(operation: "broadcast", rank: 0, message: "root \(root) but there is one rank") }
    }
    public func barrier() throws {}
    public func finalize() throws {}
    public func abort(code: Int32) -> Never { exit(code) }
}
