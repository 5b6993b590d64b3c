import Foundation
import Testing
@testable import Jobs

@Suite struct ExampleJobsTests {
    @Test func shippedJobsFileHasNoBadLine() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("examples/jobs.jsonl")
        let text = try String(contentsOf: url, encoding: .utf8)
        var jobs = 0
        for (i, line) in text.split(separator: "\n").enumerated() {
            switch JobLine.parse(line, line: i + 1, file: "examples/jobs.jsonl") {
            case .job: jobs += 1
            case .blank: break
            case .bad(let e): Issue.record("\(e)")
            }
        }
        #expect(jobs == 3)
    }
}
