import ArgumentParser
import Datasets
import Foundation
import Media
import Output
import SceneGraphs
import ShapeWorld
import Tensors

@main
struct ShapeWorldCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shapeworld",
        abstract: "The ShapeWorld data set: render scenes and clips with their scene graphs, check images against graphs.",
        subcommands: [Render.self, Clips.self, Check.self, Stats.self, Export.self])

    static func main() {
        OpenBLASCore.ensureOptimizedKernels()
        main(nil)
    }

    /// Runs a command body, turning our errors into one clear message and exit status 1.
    static func reporting(_ body: () throws -> Void) throws {
        do { try body() } catch let error as ExitCode { throw error } catch {
            FileHandle.standardError.write(Data("shapeworld: \(error)\n".utf8))
            throw ExitCode.failure
        }
    }
}

/// Options shared by render, clips and stats.
struct SceneOptions: ParsableArguments {
    @Option(help: "Data set seed.") var seed: UInt64 = 0
    @Option(help: "Image size in pixels (all shapes scale with it).") var size = 32
    @Option(help: "Fewest objects per scene.") var minObjects = 2
    @Option(help: "Most objects per scene.") var maxObjects = 4
    @Option(help: "Probability of a nested pair (still images).") var nested = 0.25

    func validate() throws {
        guard size >= 16 else { throw ValidationError("--size must be at least 16") }
        guard minObjects >= 1, maxObjects >= minObjects, maxObjects <= 8 else { throw ValidationError("need 1 ≤ --min-objects ≤ --max-objects ≤ 8") }
        guard (0...1).contains(nested) else { throw ValidationError("--nested is a probability in [0, 1]") }
    }

    var renderer: ShapeWorldRenderer {
        ShapeWorldRenderer(size: size, minObjects: minObjects, maxObjects: maxObjects, nestedProbability: nested)
    }
}

/// An RGB ByteImage of a rendered scene.
func byteImage(_ scene: ShapeWorldScene) throws -> ByteImage {
    try ByteImage(width: scene.size, height: scene.size, channels: 3, pixels: scene.pixels)
}

struct Render: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Write N scenes as PNGs plus graphs.jsonl (one graph with boxes and image name per line).")
    @Option(help: "Number of scenes.") var count: Int
    @Option(help: "Output folder (created; must not exist or be empty).") var out: String
    @OptionGroup var scene: SceneOptions

    func validate() throws { guard count > 0 else { throw ValidationError("--count must be positive") } }

    func run() throws {
        try ShapeWorldCommand.reporting {
            let renderer = scene.renderer
            let progress = ProgressBar("render", total: count)
            try OutputFolder(URL(fileURLWithPath: out)).fill { folder in
                var lines: [String] = []
                lines.reserveCapacity(count)
                for i in 0..<count {
                    var s = renderer.scene(seed: scene.seed, index: i)
                    let name = String(format: "%06d.png", i)
                    try PNGCodec.write(try byteImage(s), to: folder.appendingPathComponent(name))
                    s.graph.image = name
                    lines.append(try s.graph.jsonLine())
                    progress.update(i + 1)
                }
                try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: folder.appendingPathComponent("graphs.jsonl"))
            }
        }
    }
}

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Write N scenes in a real data set's schema (JPEG images): COCO instances JSON, Visual Genome's three JSON files, or a folder's graphs.jsonl — to run prepare, pretrain and train on real-data paths without a download.")
    @Option(help: "coco, vg or folder.") var format: String
    @Option(help: "Number of scenes.") var count: Int
    @Option(help: "Output folder (created; must not exist or be empty).") var out: String
    @OptionGroup var scene: SceneOptions

    func validate() throws {
        guard count > 0 else { throw ValidationError("--count must be positive") }
        guard ExportFormat(rawValue: format) != nil else { throw ValidationError("--format must be coco, vg or folder") }
    }

    func run() throws {
        try ShapeWorldCommand.reporting {
            let progress = ProgressBar("export", total: count)
            try ShapeWorldExport(format: ExportFormat(rawValue: format)!, renderer: scene.renderer, seed: scene.seed, count: count)
                .write(to: URL(fileURLWithPath: out)) { progress.update($0) }
        }
    }
}

struct Clips: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Write N clips: frame PNGs, a {\"frames\": [...]} graph sequence and an H.264 MP4 each, clips.jsonl (all clips, for sample --eval) and the clip checker's figures on them.")
    @Option(help: "Number of clips.") var count: Int
    @Option(help: "Frames per clip.") var frames = 8
    @Option(help: "Output folder (created; must not exist or be empty).") var out: String
    @Option(help: "Upscaling of the MP4 (32 px is tiny on a screen).") var videoScale = 8
    @Option(help: "MP4 frame rate.") var fps = 8
    @OptionGroup var scene: SceneOptions

    func validate() throws {
        guard count > 0, frames > 0, videoScale >= 1, fps > 0 else { throw ValidationError("--count, --frames, --video-scale and --fps must be positive") }
    }

    func run() throws {
        try ShapeWorldCommand.reporting {
            let renderer = scene.renderer
            let progress = ProgressBar("clips", total: count)
            // The rendered clips' own figures: the checker's ceiling and the data's flicker, the
            // yardstick for a model's clips on the same graphs.
            var report = ClipReport()
            var lines: [String] = []
            try OutputFolder(URL(fileURLWithPath: out)).fill { folder in
                for i in 0..<count {
                    let clip = renderer.clip(seed: scene.seed, index: i, frames: frames)
                    let name = String(format: "clip_%05d", i)
                    let clipFolder = folder.appendingPathComponent(name)
                    try FileManager.default.createDirectory(at: clipFolder, withIntermediateDirectories: false)
                    var sequence = clip.sequence
                    let side = scene.size * videoScale
                    let video = try VideoWriter(url: folder.appendingPathComponent(name + ".mp4"), width: side, height: side,
                                                settings: VideoSettings(codec: .h264, framesPerSecond: fps))
                    for (f, frame) in clip.frames.enumerated() {
                        let image = try byteImage(frame)
                        let file = String(format: "frame_%03d.png", f)
                        try PNGCodec.write(image, to: clipFolder.appendingPathComponent(file))
                        sequence.frames[f].image = file
                        try video.append(image.upscaled(by: videoScale))
                    }
                    try video.finish()
                    try Data(try sequence.json().utf8).write(to: clipFolder.appendingPathComponent("graphs.json"))
                    let graphs = clip.frames.map { f -> SceneGraph in var g = f.graph; g.boxes = nil; return g }
                    lines.append(try SceneGraphSequence(frames: graphs).jsonLine())
                    report.add(SceneChecker().check(clip: clip.frames.map(\.pixels), width: scene.size, height: scene.size, graphs: graphs))
                    progress.update(i + 1)
                }
                // One clip per line, ready for `sample --eval`.
                try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: folder.appendingPathComponent("clips.jsonl"))
                try Data((report.json + "\n").utf8).write(to: folder.appendingPathComponent("metrics.json"))
            }
            print(report.json)
        }
    }
}

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Score images against their graphs; print metrics as JSON and write a per-image CSV.")
    @Option(help: "Folder holding the images named by the graphs' `image` fields.") var images: String
    @Option(help: "graphs.jsonl: one graph per line with an `image` field.") var graphs: String
    @Option(help: "Per-image CSV to write.") var csv = "check.csv"

    func run() throws {
        try ShapeWorldCommand.reporting {
            let lines = try readGraphLines(URL(fileURLWithPath: graphs))
            guard !lines.isEmpty else { throw ValidationFailure("\(graphs): no graphs") }
            var metrics = CheckMetrics()
            var rows = ["image,objects,objects_found,relations,relations_held,extra_objects,graph_holds,missed_wrong_shape,missed_wrong_colour,missed_absent"]
            let checker = SceneChecker()
            let validator = SceneGraphValidator(vocabulary: .shapeWorld, maxObjects: 64)
            for (line, graph) in lines {
                do { try validator.validate(graph, source: graphs) } catch var error as SceneGraphError {
                    error.line = line
                    throw error
                }
            }
            let progress = ProgressBar("check", total: lines.count)
            for (n, (line, graph)) in lines.enumerated() {
                guard let name = graph.image else { throw ValidationFailure("\(graphs):\(line): image: missing (each line needs the image file name)") }
                var image = try PNGCodec.read(URL(fileURLWithPath: images).appendingPathComponent(name))
                if image.channels != 3 { image = try rgb(image) }
                let c = checker.check(rgb: image.pixels, width: image.width, height: image.height, graph: graph)
                metrics.add(c)
                rows.append("\(name),\(c.objects),\(c.objectsFound),\(c.relations),\(c.relationsHeld),\(c.extraObjects),\(c.allHold ? 1 : 0),"
                    + "\(c.missedWrongShape),\(c.missedWrongColour),\(c.missedAbsent)")
                progress.update(n + 1)
            }
            try AtomicFile.write(rows.joined(separator: "\n") + "\n", to: URL(fileURLWithPath: csv))
            print(metrics.json)
        }
    }

    /// Grey or RGBA images as RGB.
    func rgb(_ image: ByteImage) throws -> ByteImage {
        var pixels = [UInt8](); pixels.reserveCapacity(image.width * image.height * 3)
        for i in 0..<(image.width * image.height) {
            let p = i * image.channels
            if image.channels == 1 { pixels += [image.pixels[p], image.pixels[p], image.pixels[p]] } else { pixels += image.pixels[p..<(p + 3)] }
        }
        return try ByteImage(width: image.width, height: image.height, channels: 3, pixels: pixels)
    }
}

struct Stats: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Distribution of predicates, objects per image and nesting over N renders, and render speed.")
    @Option(help: "Number of scenes.") var count = 10_000
    @OptionGroup var scene: SceneOptions

    func run() {
        let renderer = scene.renderer
        var predicates: [String: Int] = [:], objectCounts: [Int: Int] = [:], nested = 0, relations = 0
        let start = Date()
        for i in 0..<count {
            let s = renderer.scene(seed: scene.seed, index: i)
            objectCounts[s.graph.objects.count, default: 0] += 1
            nested += s.nested ? 1 : 0
            for r in s.graph.relationships { predicates[r.predicate, default: 0] += 1; relations += 1 }
        }
        let seconds = Date().timeIntervalSince(start)
        print("\(count) scenes, seed \(scene.seed), \(scene.size)×\(scene.size): \(String(format: "%.0f", Double(count) / seconds)) renders/s on one core")
        print("objects per image:")
        for (k, v) in objectCounts.sorted(by: { $0.key < $1.key }) { print(String(format: "  %d  %6d  %5.1f%%", k, v, 100 * Double(v) / Double(count))) }
        print(String(format: "nested pairs: %d images (%.1f%%)", nested, 100 * Double(nested) / Double(count)))
        print("predicates (\(relations) relations, \(String(format: "%.2f", Double(relations) / Double(count))) per image):")
        for p in geometricPredicates {
            print("  " + p.padding(toLength: 12, withPad: " ", startingAt: 0)
                  + String(format: " %6d  %5.1f%%", predicates[p] ?? 0, 100 * Double(predicates[p] ?? 0) / Double(max(relations, 1))))
        }
    }
}

/// A user-facing failure: printed as is, exit status 1.
struct ValidationFailure: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}
