import Foundation
import Pipeline
import SceneGraphs
import Testing
@testable import Jobs

/// Graphs that repeat a relationship (as Visual Genome's and sg2im's COCO graphs do) are drawn with
/// each relationship once, in every command, and the repeat is said once instead of refusing the file.
@Suite struct DuplicateRelationshipTests {
    static let repeated = #"{"objects": ["red circle", "blue square"], "relationships": [[0, "left of", 1], [0, "left of", 1]]}"#
    static let once = #"{"objects": ["red circle", "blue square"], "relationships": [[0, "left of", 1]]}"#
    static let other = #"{"objects": ["green triangle", "blue square"], "relationships": [[1, "above", 0]]}"#

    @Test func distinctKeepsTheFirstOfEachRepeat() {
        let g = SceneGraph(objects: ["a", "b", "c"], relationships: [Relationship(0, "left of", 1), Relationship(2, "above", 1),
                                                                     Relationship(0, "left of", 1), Relationship(2, "above", 1), Relationship(1, "left of", 0)])
        let (kept, dropped) = g.distinct
        #expect(dropped == 2)
        #expect(kept.relationships == [Relationship(0, "left of", 1), Relationship(2, "above", 1), Relationship(1, "left of", 0)])
        var counter = DuplicateRelationships()
        _ = counter.distinct(SceneGraph(objects: ["a"], relationships: []), at: "f:1")
        #expect(counter.notice == nil)
        _ = counter.distinct(g, at: "f:2"); _ = counter.distinct(g, at: "f:3")
        #expect(counter.notice == "4 duplicate relationships dropped (the first in f:2); each relationship is drawn and scored once")
    }

    /// A third of the lines repeat a relationship: `--eval` draws and scores them as if written once.
    @Test func evalScoresTheDistinctRelationships() throws {
        let dir = TinyModel.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let pipeline = try DiffusionPipeline(modelFile: try TinyModel.write(in: dir))
        let withRepeats = try TinyModel.writeGraph([Self.repeated, Self.other, Self.once].joined(separator: "\n") + "\n", in: dir, name: "a.jsonl")
        let written = try TinyModel.writeGraph([Self.once, Self.other, Self.once].joined(separator: "\n") + "\n", in: dir, name: "b.jsonl")
        let a = try SampleEvaluation(graphsFile: withRepeats, output: dir.appendingPathComponent("a"), settings: try TinyModel.settings()).run(with: pipeline)
        let b = try SampleEvaluation(graphsFile: written, output: dir.appendingPathComponent("b"), settings: try TinyModel.settings()).run(with: pipeline)
        // Equal but for the time it took.
        func untimed(_ json: String) -> String { json.replacingOccurrences(of: #""seconds_per_image": [0-9.]+, "#, with: "", options: .regularExpression) }
        #expect(untimed(a) == untimed(b) && untimed(a) != a)
        #expect(a.contains("\"per_predicate\": {\"above\": {\"relations\": 1") && a.contains("\"left of\": {\"relations\": 2"), "\(a)")
    }

    @Test func jobsDrawLinesWithRepeatsAndSaySoOnce() throws {
        let dir = TinyModel.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let pipeline = try DiffusionPipeline(modelFile: try TinyModel.write(in: dir))
        let jobs = try BatchJobVideoTests.writeJobs([#"{"id": "a", "graph": \#(Self.repeated)}"#, #"{"id": "b", "graph": \#(Self.other)}"#,
                                                     #"{"id": "c", "graph": \#(Self.repeated)}"#], in: dir)
        var logged: [String] = []
        let summary = try BatchJob(jobsFile: jobs, output: dir.appendingPathComponent("out"), defaults: BatchJobTests.defaults)
            .run(with: pipeline, showProgress: false) { logged.append($0) }
        #expect(summary.badLines == 0 && summary.drawn == 3)
        #expect(logged.filter { $0.contains("duplicate") } == ["2 duplicate relationships dropped (the first in \(jobs.path):1); each relationship is drawn and scored once"])
    }
}
