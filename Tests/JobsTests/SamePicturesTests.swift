import Foundation
import Media
import Pipeline
import Testing
@testable import Jobs

/// Every way of drawing a graph goes through the one pipeline, so the same model, graph, settings
/// and seed give the same picture, byte for byte, whichever command asked for it.
@Suite struct SamePicturesTests {
    @Test func sampleEvalAndJobsDrawTheSameImageForTheSameSeed() throws {
        let dir = TinyModel.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let pipeline = try DiffusionPipeline(modelFile: try TinyModel.write(in: dir))
        let graphJSON = #"{"objects": ["red circle", "blue square"], "relationships": [[0, "left of", 1]]}"#
        let graph = try TinyModel.writeGraph(graphJSON, in: dir)
        let settings = SampleSettings(sampler: .ddim(steps: 2, eta: 0), guidance: 2, seed: 5)
        // sample --graph g.json --seed 5
        try ImageRequest(graphFile: graph, count: 1, output: dir.appendingPathComponent("one.png"), settings: settings).run(with: pipeline)
        let one = try Data(contentsOf: dir.appendingPathComponent("one.png"))
        // sample --eval (the graph on the first line gets the first seed)
        let lines = try TinyModel.writeGraph(graphJSON + "\n", in: dir, name: "graphs.jsonl")
        _ = try SampleEvaluation(graphsFile: lines, output: dir.appendingPathComponent("eval"), settings: settings).run(with: pipeline)
        #expect(try Data(contentsOf: dir.appendingPathComponent("eval/000000.png")) == one)
        // sample --jobs: a line with that graph and seed
        let jobs = try BatchJobVideoTests.writeJobs([#"{"id": "g", "graph": \#(graphJSON), "seed": 5, "sampler": "ddim", "steps": 2, "guidance": 2}"#], in: dir)
        _ = try BatchJob(jobsFile: jobs, output: dir.appendingPathComponent("jobs"), defaults: BatchJobTests.defaults).run(with: pipeline, showProgress: false)
        let drawn = try BatchJobTests.outputs(dir.appendingPathComponent("jobs"))
        #expect(drawn.count == 1)
        #expect(drawn.values.first == one)
        // The pipeline itself, as the training evaluation and bench sample call it.
        let image = try pipeline.images([(try ImageRequest(graphFile: graph, count: 1, output: dir, settings: settings).graph(for: pipeline), 5)],
                                        settings: settings)[0]
        #expect(try PNGCodec.encode(image) == Array(one))
    }
}
