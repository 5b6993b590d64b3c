import Foundation
import Testing
@testable import Training

@Suite struct RunFolderTests {
    @Test func layout() {
        let run = RunFolder(URL(fileURLWithPath: "/tmp/run"))
        #expect(run.checkpoints.path == "/tmp/run/checkpoints")
        #expect(run.metricsFile.lastPathComponent == "metrics.jsonl")
    }
}
