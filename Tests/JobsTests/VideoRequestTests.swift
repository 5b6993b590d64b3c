import Pipeline
import Diffusion
import Foundation
import Media
import SceneGraphs
import ShapeWorld
import Testing
@testable import Jobs

/// A tiny video model (TinyModel's sizes, 4 frame positions) and frame sequences for it.
enum TinyVideo {
    /// Writes it as `tiny_video.safetensors`, so it can sit beside TinyModel's image model.
    static func writeModel(in folder: URL, frames: Int = 4, vocabulary: Vocabulary = .shapeWorld, imageSize: Int = 16,
                           name: String = "tiny_video.safetensors") throws -> URL {
        var configuration = TinyModel.configuration
        configuration.unet.frames = frames
        return try TinyModel.write(in: folder, vocabulary: vocabulary, configuration: configuration, imageSize: imageSize,
                                   name: name)
    }

    /// A clip of `count` frames as a frame sequence file holds it: `{"frames": [...]}`.
    static func frames(_ count: Int) -> String { #"{"frames": "# + frameList(count) + "}" }

    /// The frame list alone, as a jobs line's `"frames"` holds it: a red circle passing a blue square.
    static func frameList(_ count: Int) -> String {
        let frames = (0..<count).map { i in
            #"{"objects": ["red circle", "blue square"], "relationships": [[0, "\#(i < count / 2 ? "left of" : "right of")", 1]]}"#
        }
        return "[" + frames.joined(separator: ", ") + "]"
    }
}

@Suite struct VideoRequestTests {
    func message(_ body: () throws -> Void) -> String {
        do { try body(); return "no error" } catch { return "\(error)" }
    }

    @Test func mp4GifAndFolderOfOneClip() throws {
        let dir = TinyModel.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let sampler = try DiffusionPipeline(modelFile: try TinyVideo.writeModel(in: dir))
        #expect(sampler.maximumFrames == 4)
        let graph = try TinyModel.writeGraph(TinyVideo.frames(4), in: dir, name: "clip.frames.json")
        #expect(VideoRequest.applies(graphFile: graph, output: dir.appendingPathComponent("out")))
        let settings = try TinyModel.settings()

        let mp4 = dir.appendingPathComponent("clip.mp4")
        let result = try VideoRequest(graphFile: graph, output: mp4, settings: settings, framesPerSecond: 5, upscale: 2).run(with: sampler)
        #expect(result.files == [mp4] && result.frames == 4)
        let video = try VideoReader.decode(mp4)
        #expect(video.frames.count == 4 && video.width == 32 && video.height == 32 && abs(video.framesPerSecond - 5) < 1e-9)

        let folder = dir.appendingPathComponent("frames")
        let files = try VideoRequest(graphFile: graph, output: folder, settings: settings, upscale: 2).run(with: sampler).files
        #expect(files.map(\.lastPathComponent) == ["000000.png", "000001.png", "000002.png", "000003.png", "strip.png"])
        let strip = try PNGCodec.read(files[4])
        #expect(strip.height == 32 && strip.width == 4 * 32 + 3 * 2)

        let gif = dir.appendingPathComponent("clip.gif")
        _ = try VideoRequest(graphFile: graph, output: gif, settings: settings).run(with: sampler)
        #expect(try VideoReader.decode(gif).frames.count == 4)
    }

    @Test func oneSeedGivesTheSameClipAndFramesDiffer() throws {
        let dir = TinyModel.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let sampler = try DiffusionPipeline(modelFile: try TinyVideo.writeModel(in: dir))
        let frames = (0..<4).map { i in
            SceneGraph(objects: ["red circle", "blue square"], relationships: [Relationship(0, i < 2 ? "left of" : "right of", 1)])
        }
        let settings = try TinyModel.settings()
        let a = try sampler.clip(frames, seed: 3, settings: settings), b = try sampler.clip(frames, seed: 3, settings: settings)
        #expect(a == b)
        #expect(a[0] != a[1])                       // each frame its own noise in a video model
        #expect(try sampler.clip(frames, seed: 4, settings: settings) != a)
    }

    @Test func imageModelDrawsTheBaselineFromSharedNoise() throws {
        let dir = TinyModel.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let sampler = try DiffusionPipeline(modelFile: try TinyModel.write(in: dir))
        #expect(sampler.maximumFrames == nil)
        let same = SceneGraph(objects: ["red circle", "blue square"], relationships: [Relationship(0, "left of", 1)])
        let images = try sampler.clip([same, same, same], seed: 3, settings: try TinyModel.settings())
        // Same graph, same starting noise, no temporal layers: identical frames.
        #expect(images[0] == images[1] && images[1] == images[2])
    }

    @Test func badClipsAreOneClearErrorAndLeaveNoFile() throws {
        let dir = TinyModel.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let sampler = try DiffusionPipeline(modelFile: try TinyVideo.writeModel(in: dir))
        let settings = try TinyModel.settings()
        let cases: [(String, String)] = [
            (#"{"frames": [{"objects": ["red circle", "blue square"], "relationships": []}, {"objects": ["red circle", "blue circle"], "relationships": []}]}"#,
             #"frames[1].objects[1]: "blue circle" where frame 0 has "blue square""#),
            (#"{"frames": [{"objects": ["red circle", "blue square"], "relationships": []}, {"objects": ["red circle"], "relationships": []}]}"#,
             "frames[1].objects: 1 objects where frame 0 has 2"),
            (#"{"frames": []}"#, "frames: expected a non-empty list of graphs"),
            (TinyVideo.frames(65), "frames: 65 frames; a clip has at most 64"),
            (#"{"frames": [{"objects": ["red circle", "blue square"], "relationships": [[0, "leftof", 1]]}]}"#, "unknown predicate \"leftof\""),
        ]
        for (i, (json, expected)) in cases.enumerated() {
            let graph = try TinyModel.writeGraph(json, in: dir, name: "bad\(i).json")
            for name in ["bad\(i).mp4", "bad\(i).gif", "bad\(i)"] {
                let out = dir.appendingPathComponent(name)
                let text = message { try VideoRequest(graphFile: graph, output: out, settings: settings).run(with: sampler) }
                #expect(text.contains(expected), "\(json): \(text)")
                #expect(text.contains(graph.path))
                #expect(!FileManager.default.fileExists(atPath: out.path))
            }
        }
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix(".") }
        #expect(leftovers.isEmpty, "\(leftovers)")
    }

    @Test func evalOfClipsPrintsTheVideoFigures() throws {
        let dir = TinyModel.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let sampler = try DiffusionPipeline(modelFile: try TinyVideo.writeModel(in: dir))
        let renderer = ShapeWorldRenderer(size: 16)
        let lines = try (0..<3).map { i in
            #"{"frames": ["# + (try renderer.clip(seed: 5, index: i, frames: 4).frames.map { try $0.graph.jsonLine() }.joined(separator: ", ")) + "]}"
        }
        let file = try TinyModel.writeGraph(lines.joined(separator: "\n") + "\n", in: dir, name: "clips.jsonl")
        #expect(VideoEvaluation.applies(to: file))
        let out = dir.appendingPathComponent("eval")
        let json = try VideoEvaluation(clipsFile: file, output: out, settings: try TinyModel.settings()).run(with: sampler)
        let figures = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(figures["clips"] as? Int == 3 && figures["frames"] as? Int == 12)
        for key in ["object_recall", "relation_accuracy", "identity_kept", "motion_consistency", "smooth_clips"] {
            let v = try #require(figures[key] as? Double, "\(key)")
            #expect((0...1).contains(v))
        }
        #expect(figures["model"] as? String == "video")
        // The settings that drew the clips, as for images: the default relation guidance 3 above 0.7·T.
        #expect(figures["guidance"] as? Double == 2 && figures["relation_guidance"] as? Double == 3 && figures["guidance_cutoff"] as? Double == 0.7)
        // Clips are drawn without object guidance, whatever the settings say, so it is not reported.
        #expect(try TinyModel.settings().objectGuidance == 150 && figures["object_guidance"] == nil)
        let written = try FileManager.default.contentsOfDirectory(atPath: out.path).sorted()
        #expect(written == ["000000.png", "000001.png", "000002.png", "metrics.json"])
        // A bad line fails before any sampling, naming its line.
        let bad = try TinyModel.writeGraph(lines[0] + "\n" + TinyVideo.frames(65) + "\n", in: dir, name: "bad.jsonl")
        let text = message { _ = try VideoEvaluation(clipsFile: bad, output: dir.appendingPathComponent("bad"), settings: try TinyModel.settings()).run(with: sampler) }
        #expect(text.contains("bad.jsonl:2") && text.contains("65 frames; a clip has at most 64"))
    }
}
