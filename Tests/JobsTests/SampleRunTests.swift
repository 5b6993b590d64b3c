import Foundation
import Pipeline
import Testing
@testable import Jobs

/// `sample`'s one call: the library tells images from clips by the input and the output.
@Suite struct SampleRunTests {
    @Test func imagesAndClipsAreToldApartByTheLibrary() throws {
        let dir = TinyModel.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let image = try TinyModel.write(in: dir), video = try TinyVideo.writeModel(in: dir)
        let graph = try TinyModel.writeGraph(#"{"objects": ["red circle", "blue square"], "relationships": [[0, "left of", 1]]}"#, in: dir)
        let frames = try TinyModel.writeGraph(TinyVideo.frames(4), in: dir, name: "clip.frames.json")
        var notices: [String] = []
        func run(_ input: SampleRun.Input, _ out: String, _ model: URL) throws -> String {
            try SampleRun(input: input, output: dir.appendingPathComponent(out), model: model, settings: try TinyModel.settings()).run { notices.append($0) }
        }
        #expect(try run(.graph(graph), "a.png", image) == dir.appendingPathComponent("a.png").path)
        #expect(notices.last?.hasPrefix("1 image in ") == true)
        // A frame sequence is a clip, whatever the output's name; so is a .mp4 or .gif output.
        #expect(SampleRun(input: .graph(frames), output: dir.appendingPathComponent("f"), model: video, settings: try TinyModel.settings()).drawsClips)
        #expect(try run(.graph(frames), "c.mp4", video) == dir.appendingPathComponent("c.mp4").path)
        #expect(notices.last?.hasPrefix("4 frames sampled in ") == true)
        #expect(!SampleRun(input: .graph(graph), output: dir.appendingPathComponent("x.png"), model: image, settings: try TinyModel.settings()).drawsClips)
        // Settings are checked against the model that will draw them, before any work.
        var tooBig = SampleRun(input: .graph(graph), output: dir.appendingPathComponent("b.png"), model: image, settings: try TinyModel.settings())
        tooBig.settings.size = 100_000
        #expect(throws: SamplingError.self) { _ = try tooBig.run { _ in } }
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("b.png").path))
    }
}
