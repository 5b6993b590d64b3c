import Foundation
import Testing
@testable import Training

@Suite struct RunCommandTests {
    struct Usage: Error {}
    struct Failure: Error {}

    /// A body that succeeds runs on the single-process communicator and reports success.
    @Test func successRunsTheBodyOnOneRank() throws {
        var ranks = 0
        #expect(try RunCommand.execute("test", passThrough: { _ in false }) { command in ranks = command.parallel.communicator.size })
        #expect(ranks == 1)
    }

    /// A run's own error becomes one line and `false` (the command exits 1); a usage error is rethrown
    /// for the argument parser to show with the usage.
    @Test func errorsAreReportedOrPassedThrough() throws {
        #expect(try RunCommand.execute("test", passThrough: { $0 is Usage }) { _ in throw Failure() } == false)
        #expect(throws: Usage.self) { try RunCommand.execute("test", passThrough: { $0 is Usage }) { _ in throw Usage() } }
    }
}
