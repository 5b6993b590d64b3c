/// A collective operation that failed: names the operation, the rank and MPI's reason.
public struct CommunicatorError: Error, CustomStringConvertible {
    public var operation: String
    public var rank: Int
    public var message: String

    public init(operation: String, rank: Int, message: String) {
        self.operation = operation; self.rank = rank; self.message = message
    }

    public var description: String { "\(operation) failed on rank \(rank): \(message)" }
}
