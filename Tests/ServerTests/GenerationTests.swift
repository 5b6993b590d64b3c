import Diffusion
import Foundation
import Hummingbird
import HummingbirdTesting
import Jobs
import Media
import Pipeline
import SceneGraphs
import Testing
@testable import Server

/// Generations drawn through the server against the pipeline and `sample`'s own writer.
@Suite struct GenerationTests {
    static let graph = SceneGraph(objects: ["red circle", "blue square"], relationships: [Relationship(0, "left of", 1)])
    static let graphJSON = #"{"objects": ["red circle", "blue square"], "relationships": [[0, "left of", 1]]}"#

    /// Image k of a generation is, byte for byte, the PNG of the pipeline's image with seed + k,
    /// and the PNG `sample --graph g.json --seed S+k --out a.png` (`ImageRequest`) writes.
    @Test func imagesEqualThePipelinesAndSamplesBytes() async throws {
        let server = try TestServer()
        let dir = server.scratch.appendingPathComponent("cli")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let settings = SampleSettings(sampler: try SamplerKind(name: "ddim", steps: 3), guidance: 2, seed: 41, size: 32)
        let direct = try server.models.image.images([(Self.graph, 41), (Self.graph, 42), (Self.graph, 43)], settings: settings)
            .map { try PNGCodec.encode($0.upscaled(by: 2)) }
        let graphFile = dir.appendingPathComponent("g.json")
        try Data(Self.graphJSON.utf8).write(to: graphFile)
        var second = settings
        second.seed = 42
        let cliFile = dir.appendingPathComponent("a.png")
        try ImageRequest(graphFile: graphFile, count: 1, output: cliFile, settings: second).run(with: server.models.image)
        let cliBytes = Array(try Data(contentsOf: cliFile))
        #expect(cliBytes == direct[1])
        try await server.app.test(.router) { client in
            let id = try await client.post(#"{"graph": \#(Self.graphJSON), "count": 3, "seed": 41, "sampler": "ddim", "steps": 3, "guidance": 2, "size": 32}"#) {
                #expect($0.status == .accepted)
                #expect($0.headers[.location]?.hasPrefix("/v1/generations/") == true)
                return Body.object($0.body)["id"] as? String ?? ""
            }
            let done = try await client.waitUntilFinal(id)
            #expect(done["status"] as? String == "done")
            let images = done["images"] as? [[String: Any]] ?? []
            #expect(images.map { $0["seed"] as? Int } == [41, 42, 43])
            #expect(images.map { $0["url"] as? String } == (0..<3).map { "/v1/generations/\(id)/images/\($0).png" })
            for (k, image) in images.enumerated() {
                try await client.execute(uri: image["url"] as? String ?? "", method: .get) { response in
                    #expect(response.status == .ok)
                    #expect(response.headers[.contentType] == "image/png")
                    #expect(Array(buffer: response.body) == direct[k])
                    if k == 1 { #expect(Array(buffer: response.body) == cliBytes) }
                }
            }
            let settingsJSON = done["settings"] as? [String: Any] ?? [:]
            #expect(settingsJSON["sampler"] as? String == "ddim" && settingsJSON["steps"] as? Int == 3 && settingsJSON["size"] as? Int == 32)
        }
        await server.stop()
    }

    /// Fields left out take `sample`'s defaults: seed 0, dpm++2m 20 steps, guidance 5 and relation guidance 3 at t ≥ 0.7·T, the model's size.
    @Test func leftOutFieldsTakeSamplesDefaults() async throws {
        let server = try TestServer(start: false)
        try await server.app.test(.router) { client in
            try await client.post(#"{"graph": \#(Self.graphJSON)}"#) { response in
                let settings = Body.object(response.body)["settings"] as? [String: Any] ?? [:]
                #expect(settings["seed"] as? Int == 0 && settings["count"] as? Int == 1)
                #expect(settings["sampler"] as? String == "dpm++2m" && settings["steps"] as? Int == 20)
                #expect(settings["guidance"] as? Double == 5 && settings["relation_guidance"] as? Double == 3)
                #expect(settings["guidance_cutoff"] as? Double == 0.7 && settings["object_guidance"] as? Double == 150)
                #expect(settings["size"] is NSNull)
            }
        }
        await server.stop()
    }

    /// DELETE cancels a waiting generation at once, and a running one at its sampler's next step.
    @Test func deleteCancelsWaitingAndRunningGenerations() async throws {
        let server = try TestServer()
        try await server.app.test(.router) { client in
            // 1000 DDPM steps take far longer than the test waits for them.
            let running = try await client.post(#"{"graph": \#(Self.graphJSON), "sampler": "ddpm"}"#) { Body.object($0.body)["id"] as? String ?? "" }
            let waiting = try await client.post(#"{"graph": \#(Self.graphJSON)}"#) { Body.object($0.body)["id"] as? String ?? "" }
            var step = 0
            for _ in 0..<500 where step == 0 {
                let json = try await client.execute(uri: "/v1/generations/\(running)", method: .get) { Body.object($0.body) }
                step = (json["progress"] as? [String: Any])?["step"] as? Int ?? 0
                try await Task.sleep(for: .milliseconds(10))
            }
            #expect(step > 0)
            try await client.execute(uri: "/v1/generations/\(waiting)", method: .delete) { response in
                #expect(response.status == .ok)
                #expect(Body.object(response.body)["status"] as? String == "cancelled")
            }
            let asked = Date()
            try await client.execute(uri: "/v1/generations/\(running)", method: .delete) { #expect($0.status == .ok) }
            let final = try await client.waitUntilFinal(running, seconds: 10)
            #expect(final["status"] as? String == "cancelled")
            #expect(Date().timeIntervalSince(asked) < 5)
            let stoppedAt = (final["progress"] as? [String: Any])?["step"] as? Int ?? 1000
            #expect(stoppedAt < 1000)
            #expect((final["images"] as? [Any])?.isEmpty == true)
        }
        await server.stop()
    }

    /// The event stream sends each step's progress and ends with the final state.
    @Test func eventsFollowTheStepsAndEndWhenDone() async throws {
        let server = try TestServer(start: false)
        try await server.app.test(.router) { client in
            let id = try await client.post(#"{"graph": \#(Self.graphJSON), "count": 2, "sampler": "ddim", "steps": 4}"#) { Body.object($0.body)["id"] as? String ?? "" }
            server.queue.start()
            try await client.execute(uri: "/v1/generations/\(id)/events", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/event-stream")
                let text = String(buffer: response.body)
                let events = text.components(separatedBy: "\n\n").filter { !$0.isEmpty }
                #expect(events.allSatisfy { $0.hasPrefix("data: {") })
                let states = events.map { Body.object(ByteBuffer(string: String($0.dropFirst(6)))) }
                #expect(states.last?["status"] as? String == "done")
                #expect((states.last?["images"] as? [Any])?.count == 2)
                let steps = states.compactMap { ($0["progress"] as? [String: Any])?["step"] as? Int }
                // The stream may start after the first steps, but it sees the later ones, in order.
                #expect(steps.contains(4) && steps == steps.sorted())
                let fractions = states.compactMap { ($0["progress"] as? [String: Any])?["fraction"] as? Double }
                #expect(fractions == fractions.sorted() && fractions.last == 1)
            }
        }
        await server.stop()
    }

    /// Loaded from files with no video model given or shipped: the image model draws frame
    /// sequences (every frame from one noise), and `GET /v1/model` shows it with no frame positions.
    @Test func withoutAVideoModelTheImageModelDrawsFrames() async throws {
        let dir = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("server-models-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("image.safetensors")
        let tiny = TinyModels.pipeline()
        try ModelFile.write(tiny.model, vocabulary: TinyModels.vocabulary, setup: tiny.setup, recipe: "{}", steps: 0, to: file)
        let models = try LoadedModels.load(image: file, video: nil, folders: [dir])
        #expect(models.video === models.image && models.videoFile == "image.safetensors")
        let server = try TestServer(models: models)
        try await server.app.test(.router) { client in
            try await client.execute(uri: "/v1/model", method: .get) { response in
                let video = Body.object(response.body)["video_model"] as? [String: Any] ?? [:]
                #expect(video["file"] as? String == "image.safetensors" && video["frames"] is NSNull)
            }
            let id = try await client.post(#"{"frames": [\#(Self.graphJSON), \#(Self.graphJSON)], "sampler": "ddim", "steps": 2}"#) {
                #expect($0.status == .accepted)
                return Body.object($0.body)["id"] as? String ?? ""
            }
            let done = try await client.waitUntilFinal(id)
            #expect(done["status"] as? String == "done" && done["kind"] as? String == "clips" && done["frames"] as? Int == 2)
        }
        await server.stop()
    }

    /// Frame sequences are drawn by the video model as MP4 and GIF; clip k uses seed + k.
    @Test func clipsComeAsMP4AndGIF() async throws {
        let server = try TestServer(models: TinyModels.models(video: true))
        let frames = #"[\#(Self.graphJSON), \#(Self.graphJSON), {"objects": ["red circle", "blue square"], "relationships": [[0, "right of", 1]]}]"#
        try await server.app.test(.router) { client in
            try await client.post(#"{"frames": [{"objects": ["red circle"]}, {"objects": ["blue square"]}]}"#) { response in
                #expect(response.status == .badRequest)
                #expect(Body.error(response.body).field == "frames[1].objects[0]")
            }
            // Object guidance is for images: asked for a clip, it is refused; left out, the clip is drawn without it.
            try await client.post(#"{"frames": \#(frames), "object_guidance": 100}"#) { response in
                #expect(response.status == .badRequest && Body.error(response.body).field == "object_guidance")
            }
            let id = try await client.post(#"{"frames": \#(frames), "count": 2, "seed": 5, "sampler": "ddim", "steps": 2}"#) {
                #expect($0.status == .accepted)
                return Body.object($0.body)["id"] as? String ?? ""
            }
            let done = try await client.waitUntilFinal(id)
            #expect(done["status"] as? String == "done" && done["kind"] as? String == "clips" && done["frames"] as? Int == 3)
            let videos = done["videos"] as? [[String: Any]] ?? []
            #expect(videos.map { $0["seed"] as? Int } == [5, 6])
            for video in videos {
                try await client.execute(uri: video["mp4"] as? String ?? "", method: .get) { response in
                    #expect(response.headers[.contentType] == "video/mp4")
                    #expect(Array(Array(buffer: response.body).dropFirst(4).prefix(4)) == Array("ftyp".utf8))
                }
                try await client.execute(uri: video["gif"] as? String ?? "", method: .get) { response in
                    #expect(response.headers[.contentType] == "image/gif")
                    #expect(Array(Array(buffer: response.body).prefix(6)) == Array("GIF89a".utf8))
                }
            }
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: server.scratch.path).isEmpty)
        await server.stop()
    }
}
