import Pipeline
import Foundation
import Media
import NN
import SceneGraphs
import ShapeWorld
import Testing
@testable import Jobs

@Suite struct SampleCommandTests {
    func message(_ body: () throws -> Void) -> String {
        do { try body(); return "no error" } catch { return "\(error)" }
    }

    @Test func oneImageAndSeveralWithAGrid() throws {
        let dir = TinyModel.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let sampler = try DiffusionPipeline(modelFile: try TinyModel.write(in: dir))
        #expect(sampler.imageSize == 16)
        let graph = try TinyModel.writeGraph(#"{"objects": ["red circle", "blue square"], "relationships": [[0, "left of", 1]]}"#, in: dir)
        var settings = try TinyModel.settings()
        settings.size = 64
        try ImageRequest(graphFile: graph, count: 1, output: dir.appendingPathComponent("a.png"), settings: settings).run(with: sampler)
        let one = try PNGCodec.read(dir.appendingPathComponent("a.png"))
        #expect(one.width == 64 && one.height == 64)
        let files = try ImageRequest(graphFile: graph, count: 3, output: dir.appendingPathComponent("many"), settings: settings).run(with: sampler)
        #expect(files.map(\.lastPathComponent) == ["000000.png", "000001.png", "000002.png", "grid.png"])
        // Image k has seed+k whatever the request: the first of three equals the single image.
        #expect(try PNGCodec.read(files[0]) == one)
    }

    /// `model.attn_positions` travels in the model file: the same weights sampled with the same seed
    /// give other pixels when the file says the attention has positions.
    @Test func attentionPositionsTravelInTheModelFile() throws {
        let dir = TinyModel.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        var placed = TinyModel.configuration
        placed.unet.attentionPositions = true
        let plain = try DiffusionPipeline(modelFile: try TinyModel.write(in: dir))
        let withPositions = try DiffusionPipeline(modelFile: try TinyModel.write(in: dir, configuration: placed, name: "placed.safetensors"))
        #expect(withPositions.model.configuration.unet.attentionPositions && !plain.model.configuration.unet.attentionPositions)
        let graph = try TinyModel.writeGraph(#"{"objects": ["red circle", "blue square"], "relationships": [[0, "left of", 1]]}"#, in: dir)
        let a = try ImageRequest(graphFile: graph, count: 1, output: dir.appendingPathComponent("a.png"), settings: try TinyModel.settings())
        _ = try a.run(with: plain)
        let b = try ImageRequest(graphFile: graph, count: 1, output: dir.appendingPathComponent("b.png"), settings: try TinyModel.settings())
        _ = try b.run(with: withPositions)
        #expect(try PNGCodec.read(dir.appendingPathComponent("a.png")) != PNGCodec.read(dir.appendingPathComponent("b.png")))
    }

    @Test func badGraphsFailWithTheirLocation() throws {
        let dir = TinyModel.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let sampler = try DiffusionPipeline(modelFile: try TinyModel.write(in: dir))
        let cases: [(String, String)] = [
            (#"{"objects": ["red circel"], "relationships": []}"#, "unknown object \"red circel\"; nearest: \"red circle\""),
            (#"{"objects": ["red circle"], "relationships": [[0, "leftof", 1]]}"#, "index 1 out of range"),
            (#"{"objects": ["red circle", "blue square"], "relationships": [[0, "leftof", 1]]}"#, "unknown predicate \"leftof\"; nearest: \"left of\""),
            (#"{"objects": ["red circle", "blue square"], "relationships": [[1, "above", 1]]}"#, "related to itself"),
            (#"{"objects": [], "relationships": []}"#, "the graph is empty"),
            (#"{"objects": ["red circle", "blue square", "red square", "cyan circle"], "relationships": [[0, "above", 1], [1, "above", 2], [2, "above", 3]]}"#,
             "make 7 triples, but the model takes at most 6 (model.max_triples)"),
            (#"{"objects": ["red circle", "#, "g.json:1:"),
        ]
        for (json, expected) in cases {
            let graph = try TinyModel.writeGraph(json, in: dir)
            let m = message { try ImageRequest(graphFile: graph, count: 1, output: dir.appendingPathComponent("x.png"), settings: try TinyModel.settings()).run(with: sampler) }
            #expect(m.contains(expected), "\(json): \(m)")
            #expect(m.contains("g.json"), "\(json): the message does not name the file: \(m)")
            #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("x.png").path))
        }
    }

    @Test func badModelFilesFailWithThePath() throws {
        let dir = TinyModel.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let missing = dir.appendingPathComponent("none.safetensors")
        #expect(message { _ = try DiffusionPipeline(modelFile: missing) }.contains("\(missing.path): no such model file"))
        let good = try TinyModel.write(in: dir)
        let bytes = try Data(contentsOf: good)
        let truncated = dir.appendingPathComponent("truncated.safetensors")
        try bytes.prefix(bytes.count - 100).write(to: truncated)
        #expect(message { _ = try DiffusionPipeline(modelFile: truncated) }.contains("\(truncated.path): not a readable safetensors file"))
        let foreign = dir.appendingPathComponent("foreign.safetensors")
        try SafeTensorsFile(tensors: ["w": SafeTensor(shape: [1], data: .f32([1]))]).write(to: foreign)
        #expect(message { _ = try DiffusionPipeline(modelFile: foreign) }.contains("not a scene-graph diffusion model"))
        let big = try Vocabulary(objects: ["__image__"] + (0..<30).map { "thing \($0)" }, predicates: ["__in_image__", "near"])
        let misfit = try TinyModel.write(in: TinyModel.folder(), vocabulary: big)
        #expect(message { _ = try DiffusionPipeline(modelFile: misfit) }.contains("does not fit the model (model.num_objects 19"))
    }

    @Test func unwritableOutputFailsBeforeSampling() throws {
        let dir = TinyModel.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let sampler = try DiffusionPipeline(modelFile: try TinyModel.write(in: dir))
        let graph = try TinyModel.writeGraph(#"{"objects": ["red circle"], "relationships": []}"#, in: dir)
        let nowhere = dir.appendingPathComponent("missing/a.png")
        #expect(message { try ImageRequest(graphFile: graph, count: 1, output: nowhere, settings: try TinyModel.settings()).run(with: sampler) }
            == "\(nowhere.path): cannot write: the folder \(nowhere.deletingLastPathComponent().path) does not exist")
        let occupied = dir  // not empty: holds the model
        #expect(message { try ImageRequest(graphFile: graph, count: 2, output: occupied, settings: try TinyModel.settings()).run(with: sampler) }
            .contains("not empty"))
    }

    @Test func evalWritesImagesGraphsAndFigures() throws {
        let dir = TinyModel.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let sampler = try DiffusionPipeline(modelFile: try TinyModel.write(in: dir))
        let lines = """
        {"id": "a", "objects": ["red circle", "blue square"], "relationships": [[0, "left of", 1]], "boxes": [[0.1, 0.1, 0.3, 0.3], [0.5, 0.5, 0.8, 0.8]]}
        {"objects": ["green triangle"], "relationships": []}

        """
        let input = try TinyModel.writeGraph(lines, in: dir, name: "graphs.jsonl")
        let out = dir.appendingPathComponent("eval")
        let json = try SampleEvaluation(graphsFile: input, output: out, settings: try TinyModel.settings()).run(with: sampler)
        #expect(json.contains("\"images\": 2"))
        #expect(json.contains("\"per_predicate\": {\"left of\": {\"relations\": 1"))
        #expect(json.contains("\"per_object_count\": {\"1\": "))
        let written = try readGraphLines(out.appendingPathComponent("graphs.jsonl"))
        #expect(written.map { $0.graph.image } == ["000000.png", "000001.png"])
        // The folder checks again to the same figures: its graphs carry no boxes to match by.
        #expect(written.allSatisfy { $0.graph.boxes == nil })
        var again = CheckMetrics()
        for (_, graph) in written {
            let image = try PNGCodec.read(out.appendingPathComponent(graph.image!))
            again.add(SceneChecker().check(rgb: image.pixels, width: image.width, height: image.height, graph: graph))
        }
        #expect(json.contains(String(format: "\"object_recall\": %.4f", again.objectRecall)))
        #expect(json.contains(String(format: "\"missed_wrong_shape\": %.4f, \"missed_wrong_colour\": %.4f, \"missed_absent\": %.4f",
                                     again.wrongShapeShare, again.wrongColourShare, again.absentShare)))
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("metrics.json").path))
        // A bad line names its line number and nothing is written.
        let bad = try TinyModel.writeGraph("{\"objects\": [\"red circle\"], \"relationships\": []}\n{\"objects\": [\"purple circle\"], \"relationships\": []}\n",
                                           in: dir, name: "bad.jsonl")
        let m = message { _ = try SampleEvaluation(graphsFile: bad, output: dir.appendingPathComponent("eval2"), settings: try TinyModel.settings()).run(with: sampler) }
        #expect(m.contains("bad.jsonl:2"), "\(m)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("eval2").path))
    }
}
