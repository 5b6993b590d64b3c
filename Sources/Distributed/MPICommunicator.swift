import CMPI
import Foundation

/// The ranks of an Open MPI job (`MPI_COMM_WORLD`). Errors come back as `CommunicatorError`s
/// (MPI_ERRORS_RETURN) instead of MPI's default of aborting the job from inside the library.
public final class MPICommunicator: Communicator {
    public let rank: Int
    public let size: Int
    private let world: MPI_Comm
    // MPI's count arguments are Int32; larger buffers go in pieces.
    private static let chunk = 1 << 28

    /// Initialises MPI (once per process) and joins the world communicator.
    public init() throws {
        var initialized: Int32 = 0
        MPI_Initialized(&initialized)
        if initialized == 0 {
            let code = MPI_Init(nil, nil)
            guard code == MPI_SUCCESS else {
                throw CommunicatorError(operation: "MPI_Init", rank: -1, message: "error \(code) (is this process started by mpirun or srun?)")
            }
        }
        world = cmpi_comm_world()
        MPI_Comm_set_errhandler(world, cmpi_errors_return())
        var r: Int32 = 0, s: Int32 = 0
        MPI_Comm_rank(world, &r)
        MPI_Comm_size(world, &s)
        rank = Int(r); size = Int(s)
    }

    public func allReduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) throws {
        try allReduce(UnsafeMutableRawPointer(buffer.baseAddress), count: buffer.count, elementSize: 4, type: cmpi_float())
    }

    public func allReduceSum(_ buffer: UnsafeMutableBufferPointer<Double>) throws {
        try allReduce(UnsafeMutableRawPointer(buffer.baseAddress), count: buffer.count, elementSize: 8, type: cmpi_double())
    }

    private func allReduce(_ base: UnsafeMutableRawPointer?, count: Int, elementSize: Int, type: MPI_Datatype) throws {
        guard let base, count > 0 else { return }
        for start in stride(from: 0, to: count, by: Self.chunk) {
            let n = min(Self.chunk, count - start)
            try check("MPI_Allreduce", MPI_Allreduce(UnsafeRawPointer(cmpi_in_place()), base + start * elementSize, Int32(n), type, cmpi_sum(), world))
        }
    }

    public func broadcast(_ bytes: UnsafeMutableRawBufferPointer, root: Int) throws {
        guard (0..<size).contains(root) else { throw CommunicatorError(operation: "broadcast", rank: rank, message: "root \(root) is not a rank of \(size)") }
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        for start in stride(from: 0, to: bytes.count, by: Self.chunk) {
            try check("MPI_Bcast", MPI_Bcast(base + start, Int32(min(Self.chunk, bytes.count - start)), cmpi_byte(), Int32(root), world))
        }
    }

    public func barrier() throws { try check("MPI_Barrier", MPI_Barrier(world)) }

    public func finalize() throws {
        var finalized: Int32 = 0
        MPI_Finalized(&finalized)
        if finalized == 0 { try check("MPI_Finalize", MPI_Finalize()) }
    }

    public func abort(code: Int32) -> Never {
        MPI_Abort(world, code)
        exit(code)   // MPI_Abort does not return; this satisfies the type checker
    }

    private func check(_ operation: String, _ code: Int32) throws {
        guard code != MPI_SUCCESS else { return }
        var text = [CChar](repeating: 0, count: Int(cmpi_max_error_string()) + 1)
        var length: Int32 = 0
        MPI_Error_string(code, &text, &length)
        throw CommunicatorError(operation: operation, rank: rank, message: String(cString: text))
    }
}
