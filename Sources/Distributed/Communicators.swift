import Foundation

/// Picks the communicator a process was started for.
public enum Communicators {
    /// The variables a launcher sets in each rank's environment: mpirun (Open MPI) and PMIx / PMI
    /// (srun, the MPI Operator's launcher).
    static let launcherVariables = ["OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_SIZE", "PMI_RANK"]

    /// Whether `environment` says this process is one rank of an MPI job. `SGD_COMMUNICATOR`
    /// (`mpi` or `single`) overrides the guess.
    public static func wantsMPI(_ environment: [String: String]) throws -> Bool {
        switch environment["SGD_COMMUNICATOR"] {
        case "mpi"?: return true
        case "single"?: return false
        case nil, ""?: return launcherVariables.contains { environment[$0] != nil }
        case let other?: throw CommunicatorError(operation: "SGD_COMMUNICATOR", rank: 0, message: "'\(other)' is not mpi or single")
        }
    }

    /// MPI when launched by mpirun or srun, else a single process.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> any Communicator {
        try wantsMPI(environment) ? MPICommunicator() : SingleProcessCommunicator()
    }
}
