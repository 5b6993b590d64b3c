import Pipeline
import Foundation
import Media
import Output
import SceneGraphs
import ShapeWorld

/// `sample --eval clips.jsonl --out DIR` where each line is `{"frames": [...]}`: one clip per line
/// (clip k uses seed + k), scored by the clip checker — per-frame object recall and relation
/// accuracy, identity kept, motion consistency, smooth clips, flicker — for all clips and for the
/// clips whose relations change. Writes `DIR/000000.png …` (each clip's frames
/// side by side) and `DIR/metrics.json`. With an image model the same file gives the baseline:
/// frames drawn independently from the same starting noise.
public struct VideoEvaluation {
    public var clipsFile: URL
    public var output: URL
    public var settings: SampleSettings

    public init(clipsFile: URL, output: URL, settings: SampleSettings) {
        self.clipsFile = clipsFile; self.output = output; self.settings = settings
    }

    /// Whether an `--eval` file holds clips: its first non-empty line is a frame sequence.
    public static func applies(to file: URL) -> Bool {
        guard let text = try? String(contentsOf: file, encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { !$0.trimmingCharacters(in: .whitespaces).isEmpty }),
              case .sequence = try? SceneGraphDecoder.decode(Data(line.utf8), source: file.path) else { return false }
        return true
    }

    /// The clips of the file with their line numbers; any bad line is an error naming it.
    func readClips() throws -> [(line: Int, frames: [SceneGraph])] {
        let text: String
        do { text = try String(contentsOf: clipsFile, encoding: .utf8) } catch {
            throw SceneGraphError(file: clipsFile.path, message: "cannot read: \(error.localizedDescription)")
        }
        var clips: [(Int, [SceneGraph])] = []
        for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
        where !line.trimmingCharacters(in: .whitespaces).isEmpty {
            do {
                guard case .sequence(let s) = try SceneGraphDecoder.decode(Data(line.utf8), source: clipsFile.path) else {
                    throw SceneGraphError(file: clipsFile.path, line: i + 1, message: "expected one {\"frames\": [...]} per line")
                }
                clips.append((i + 1, s.frames))
            } catch var e as SceneGraphError {
                if e.line == nil || e.line == 1 { e.line = i + 1 }
                throw e
            }
        }
        return clips
    }

    /// Samples, scores and writes everything; returns the figures as JSON text.
    public func run(with pipeline: DiffusionPipeline) throws -> String {
        var duplicates = DuplicateRelationships()
        let clips = try readClips().map { clip in
            (line: clip.line, frames: clip.frames.map { duplicates.distinct($0, at: "\(clipsFile.path):\(clip.line)") })
        }
        if let notice = duplicates.notice { Notice.write(notice) }
        guard !clips.isEmpty else { throw SamplingError("\(clipsFile.path): no clips") }
        // Every clip is checked before any sampling, so a bad line fails in a second, not an hour.
        for (line, frames) in clips { try pipeline.validateClip(frames, source: clipsFile.path, line: line) }
        let folder = try OutputFolder(output)
        let progress = ProgressBar("eval", total: clips.count)
        var metrics = ClipReport()
        var strips: [ByteImage] = []
        for (k, clip) in clips.enumerated() {
            // The model never sees boxes: the checker matches objects by class, not by the data's layout.
            let graphs = clip.frames.map { g -> SceneGraph in var g = g; g.boxes = nil; g.image = nil; return g }
            let images = try pipeline.clip(graphs, seed: settings.seed &+ UInt64(k), settings: settings)
            metrics.add(SceneChecker().check(clip: images.map(\.pixels), width: pipeline.imageSize, height: pipeline.imageSize, graphs: graphs))
            strips.append(try ByteImage.grid(images, columns: images.count))
            progress.update(k + 1)
        }
        progress.finish()
        let model = pipeline.maximumFrames == nil ? "image (baseline: frames drawn independently from the same starting noise)" : "video"
        let json = "{\"sampler\": \"\(settings.sampler)\", " + settings.forClips.guidanceJSONFields
            + "\"seed\": \(settings.seed), \"model\": \"\(model)\", "
            + String(metrics.json.dropFirst())
        try folder.fill { staging in
            for (k, strip) in strips.enumerated() {
                try PNGCodec.write(strip, to: staging.appendingPathComponent(String(format: "%06d.png", k)))
            }
            try Data((json + "\n").utf8).write(to: staging.appendingPathComponent("metrics.json"))
        }
        return json
    }
}
