import Foundation

/// What `train` and `pretrain` do around their run: find the job's ranks, print notices from rank 0
/// alone, and turn an error into one line that also ends the other ranks.
public struct RunCommand {
    /// The command's name, the prefix of every line it prints.
    public let name: String
    public let parallel: DataParallel

    /// Runs `body` on this process's ranks (one, or those mpirun started). An error is printed as
    /// `name: error` and ends every other rank at once — they may be waiting in a collective for
    /// this one; errors `passThrough` accepts (usage errors, shown with the usage) are rethrown.
    /// Returns false when the body failed.
    public static func execute(_ name: String, passThrough: (any Error) -> Bool, _ body: (RunCommand) throws -> Void) throws -> Bool {
        var parallel = DataParallel.single
        do {
            parallel = try DataParallel.fromEnvironment()
            try body(RunCommand(name: name, parallel: parallel))
            try parallel.communicator.finalize()
            return true
        } catch where passThrough(error) {
            throw error
        } catch {
            FileHandle.standardError.write(Data("\(name): \(error)\n".utf8))
            if parallel.communicator.size > 1 { parallel.communicator.abort(code: 1) }
            return false
        }
    }

    /// One line on stderr, from rank 0 alone.
    public func notice(_ line: String) {
        guard parallel.isRoot else { return }
        FileHandle.standardError.write(Data("\(name): \(line)\n".utf8))
    }

    /// The run's first line: new or resumed, where, and on how many ranks.
    public func announce(folder: String, resumedAt: Int?) {
        let ranks = parallel.communicator.size > 1 ? "\(parallel.communicator.size) ranks, " : ""
        notice(ranks + (resumedAt.map { "resuming at step \($0) in" } ?? "new run in") + " " + folder)
    }
}
