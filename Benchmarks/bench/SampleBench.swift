import ArgumentParser
import Diffusion
import Foundation
import GraphEncoder
import Media
import Pipeline
import SceneGraphs
import ShapeWorld
import Tensors

/// End-to-end sampling time, as `sample` will run it: graph JSON → validated graphs → encoder and
/// guided DPM-Solver++ loop → PNG files, for one image and for a batch of 16 (the graph repeated
/// with 16 seeds), in both of `sample`'s batchings. A randomly initialised shapes32 model does
/// exactly the work of a trained one.
struct SampleBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "sample", abstract: "Seconds per image, graph JSON to PNG (DPM-Solver++ + guidance).")
    @Option(help: "A scene graph JSON file (default: the three-shapes example, built in).") var graph: String?
    @Option(help: "Solver steps.") var steps = 20
    @Option(help: "Guidance scale.") var guidance = 3.0
    @Option(help: "Relation guidance (0 = none, the PyTorch reference's setting; `sample`'s default is 3).") var relationGuidance = 0.0
    @Option(help: "Object guidance (0 = none, as the reference; `sample`'s default is \(Int(SampleSettings.defaultObjectGuidance))).") var objectGuidance = 0.0
    @Option(help: "Guide only timesteps t ≥ this share of the schedule (0 = every step, as the reference; `sample`'s default is 0.7).") var guidanceCutoff = 0.0
    @Option(help: "Image size.") var size = 32
    @Option(help: "Timed repetitions (median reported); batch 1 gets one warm-up run first.") var reps = 3

    static let builtInGraph = #"{"objects": ["red circle", "blue square", "green triangle"], "relationships": [[0, "left of", 1], [2, "below", 1]]}"#

    func run() throws {
        printEnvironment()
        var rng = RandomGenerator(seed: 0)
        let config = ModelConfiguration.shapes32
        let model = SceneGraphDiffusion(config, rng: &rng)
        let pipeline = DiffusionPipeline(model: model, vocabulary: .shapeWorld, setup: DiffusionSetup(imageSize: size))
        let settings = SampleSettings(sampler: .dpmSolverPlusPlus2M(steps: steps), guidance: guidance, seed: 0, relationGuidance: relationGuidance,
                                      guidanceCutoff: guidanceCutoff, objectGuidance: objectGuidance)
        let sampler = DPMSolverPlusPlus2MSampler(steps: steps)
        let json = try graph.map { try Data(contentsOf: URL(fileURLWithPath: $0)) } ?? Data(Self.builtInGraph.utf8)
        let source = graph ?? "built-in graph"
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("bench-sample-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }

        /// Everything `sample --graph g.json --count n --out DIR` does, timed as one piece.
        func endToEnd(count: Int, batching: SampleBatching) throws {
            let document = try SceneGraphDecoder.decode(json, source: source)
            let validator = SceneGraphValidator(vocabulary: .shapeWorld, maxObjects: (config.encoder.maxTriples + 1) / 2)
            try validator.validate(document, source: source)
            let graphs = [SceneGraph](repeating: document.graphs[0], count: count)
            // The pipeline's way (one UNet call per image, images on separate cores), as `sample` draws;
            // the whole-batch way only the benchmark runs, to show what that choice costs.
            let images: [ByteImage]
            if batching == .perImage {
                images = try pipeline.images(graphs.enumerated().map { ($1, UInt64($0)) }, settings: settings)
            } else {
                let batch = try GraphBatch(graphs, vocabulary: .shapeWorld)
                let x = try model.sample(graphs: batch, seeds: (0..<count).map(UInt64.init), sampler: sampler, guidance: settings.classifierFreeGuidance,
                                         schedule: pipeline.schedule, imageSize: size, batching: batching)
                images = try (0..<count).map { try ByteImage(tensor: x.slice(axis: 0, $0..<($0 + 1)).reshaped([3, size, size])) }
            }
            for (i, image) in images.enumerated() { try PNGCodec.write(image, to: folder.appendingPathComponent("\(i).png")) }
        }

        var result: [(String, String)] = [
            ("engine", "\"swift\""), ("openblas_core", "\"\(BLAS.coreName)\""), ("threads", "\(ParallelConfig.threadCount)"),
            ("sampler", "\"dpm++2m\""), ("steps", "\(steps)"), ("guidance", "\(guidance)"),
            ("relation_guidance", "\(relationGuidance)"), ("guidance_cutoff", "\(guidanceCutoff)"), ("object_guidance", "\(objectGuidance)"), ("size", "\(size)"),
            ("unet_parameters", "\(model.unet.parameterCount)"),
        ]
        var failure: Error?
        for (count, batching, name) in [(1, SampleBatching.perImage, "batch1"), (16, .perImage, "batch16_per_image"),
                                        (16, .wholeBatch, "batch16_whole_batch")] {
            let seconds = medianSeconds(warmup: count == 1 ? 1 : 0, reps: reps) {
                do { try endToEnd(count: count, batching: batching) } catch { failure = error }
            }
            if let failure { throw failure }
            result.append(("\(name)_s_per_image", String(format: "%.4f", seconds / Double(count))))
        }
        result.append(("peak_rss_mb", String(format: "%.0f", memoryMiB().peak)))
        print("{\n" + result.map { " \"\($0.0)\": \($0.1)" }.joined(separator: ",\n") + "\n}")
    }
}
