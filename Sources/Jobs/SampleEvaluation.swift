import Pipeline
import Foundation
import Media
import Output
import SceneGraphs
import ShapeWorld

/// `sample --eval graphs.jsonl --out DIR`: one image per graph at the model's size, written as
/// `DIR/000000.png …` with `DIR/graphs.jsonl` (each graph with its image's name and without the
/// data's boxes: the layout `shapeworld render` writes, so the same tools read both) and `DIR/metrics.json` — the checker's
/// figures overall, per predicate and per object count, and with a scorer loaded the learned
/// figures (`LearnedScoreFigures`: retrieval, mean score, Fréchet distance to the file's own images).
public struct SampleEvaluation {
    public var graphsFile: URL
    public var output: URL
    public var settings: SampleSettings

    public init(graphsFile: URL, output: URL, settings: SampleSettings) {
        self.graphsFile = graphsFile; self.output = output; self.settings = settings
    }

    /// Samples, scores and writes everything; returns the figures as JSON text.
    public func run(with pipeline: DiffusionPipeline) throws -> String {
        var duplicates = DuplicateRelationships()
        let lines = try readGraphLines(graphsFile).map { (line: $0.line, graph: duplicates.distinct($0.graph, at: "\(graphsFile.path):\($0.line)")) }
        if let notice = duplicates.notice { Notice.write(notice) }
        guard !lines.isEmpty else { throw SamplingError("\(graphsFile.path): no graphs") }
        // Every graph is checked before any sampling, so a bad line fails in a second, not an hour.
        for (line, graph) in lines {
            do { try pipeline.validator.validate(graph, source: graphsFile.path) } catch var e as SceneGraphError {
                e.line = line
                throw e
            }
        }
        let folder = try OutputFolder(output)
        // The model never sees boxes: the checker matches objects by class, not by the data's layout.
        let graphs = lines.map { entry -> SceneGraph in var g = entry.graph; g.boxes = nil; g.image = nil; return g }
        let progress = ProgressBar("eval", total: graphs.count)
        let requests = graphs.enumerated().map { (graph: $0.element, seed: settings.seed &+ UInt64($0.offset)) }
        let start = Date()
        let images = try pipeline.images(requests, settings: settings) { progress.update($0) }
        let secondsPerImage = Date().timeIntervalSince(start) / Double(max(images.count, 1))
        var report = CheckReport()
        for (graph, image) in zip(graphs, images) {
            report.add(SceneChecker().check(rgb: image.pixels, width: image.width, height: image.height, graph: graph), graph: graph)
        }
        var json = report.json(settings: settings, secondsPerImage: secondsPerImage)
        if let scorer = pipeline.scorer {
            let learned = try LearnedScoreFigures(scorer: scorer, graphs: graphs, images: images, real: try realImages(lines.map(\.graph)))
            json = String(json.dropLast()) + ", " + learned.jsonMembers + "}"
        }
        try folder.fill { staging in
            var out: [String] = []
            for (i, image) in images.enumerated() {
                let name = String(format: "%06d.png", i)
                try PNGCodec.write(image, to: staging.appendingPathComponent(name))
                // Without the data's boxes, as checked above: `shapeworld check` on the folder gives metrics.json's figures.
                var g = graphs[i]
                g.image = name
                out.append(try g.jsonLine())
            }
            try Data((out.joined(separator: "\n") + "\n").utf8).write(to: staging.appendingPathComponent("graphs.jsonl"))
            try Data((json + "\n").utf8).write(to: staging.appendingPathComponent("metrics.json"))
        }
        return json
    }
}

extension SampleEvaluation {
    /// The data's own images of the graphs, where every line names one (`shapeworld render`
    /// writes them beside the file): the real side of the Fréchet distance. None if any is missing.
    func realImages(_ graphs: [SceneGraph]) throws -> [ByteImage] {
        let folder = graphsFile.deletingLastPathComponent()
        let files = graphs.compactMap { $0.image.map { folder.appendingPathComponent($0) } }
        guard files.count == graphs.count, files.allSatisfy({ FileManager.default.fileExists(atPath: $0.path) }) else { return [] }
        return try files.map { try PNGCodec.read($0) }
    }
}

/// The checker's figures overall, per predicate and per object count.
public struct CheckReport {
    public var overall = CheckMetrics()
    public var byObjectCount: [Int: CheckMetrics] = [:]
    /// predicate → (held, total)
    public var byPredicate: [String: (held: Int, total: Int)] = [:]

    public init() {}

    public mutating func add(_ check: ImageCheck, graph: SceneGraph) {
        overall.add(check)
        byObjectCount[graph.objects.count, default: CheckMetrics()].add(check)
        for (r, held) in zip(graph.relationships, check.relationHeld) {
            byPredicate[r.predicate, default: (0, 0)].total += 1
            if held { byPredicate[r.predicate, default: (0, 0)].held += 1 }
        }
    }

    /// One JSON object: settings, overall figures, per predicate, per object count.
    public func json(settings: SampleSettings, secondsPerImage: Double? = nil) -> String {
        func f(_ x: Double) -> String { String(format: "%.4f", x) }
        let predicates = byPredicate.keys.sorted().map { p -> String in
            let v = byPredicate[p]!
            return "\"\(p)\": {\"relations\": \(v.total), \"accuracy\": \(f(v.total == 0 ? 0 : Double(v.held) / Double(v.total)))}"
        }
        let counts = byObjectCount.keys.sorted().map { "\"\($0)\": \(byObjectCount[$0]!.json)" }
        return "{\"sampler\": \"\(settings.sampler)\", " + settings.guidanceJSONFields
            + (secondsPerImage.map { String(format: "\"seconds_per_image\": %.3f, ", $0) } ?? "")
            + "\"seed\": \(settings.seed), "
            + "\"object_recall\": \(f(overall.objectRecall)), \"relation_accuracy\": \(f(overall.relationAccuracy)), "
            + "\"relation_accuracy_found_pairs\": \(f(overall.foundPairRelationAccuracy)), "
            + "\"graph_accuracy\": \(f(overall.graphAccuracy)), \"extra_per_image\": \(f(overall.extraPerImage)), \"images\": \(overall.images), "
            + "\"missed_wrong_shape\": \(f(overall.wrongShapeShare)), \"missed_wrong_colour\": \(f(overall.wrongColourShare)), "
            + "\"missed_absent\": \(f(overall.absentShare)), "
            + "\"per_predicate\": {\(predicates.joined(separator: ", "))}, \"per_object_count\": {\(counts.joined(separator: ", "))}}"
    }
}

extension SampleSettings {
    /// The guidance an evaluation drew with, as JSON fields each followed by ", " (relation guidance,
    /// cutoff and object guidance only when used): shared by the image and the clip evaluation's metrics.json.
    var guidanceJSONFields: String {
        "\"guidance\": \(guidance), "
            + (relationGuidance != 0 ? "\"relation_guidance\": \(relationGuidance), " : "")
            + (guidanceCutoff != 0 ? "\"guidance_cutoff\": \(guidanceCutoff), " : "")
            + (objectGuidance != 0 ? "\"object_guidance\": \(objectGuidance), " : "")
    }
}
