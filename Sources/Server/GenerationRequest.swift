import Diffusion
import Foundation
import Pipeline
import SceneGraphs

/// A `POST /v1/generations` body, parsed and checked with the code `sample` uses: the graph
/// decoder and validator of `SceneGraphs` (same messages, fields prefixed with `graph.`),
/// `SamplerKind`, `SampleSettings.check` and `SampleLimits`; fields left out take `sample`'s defaults.
public struct GenerationRequest: Sendable, Equatable {
    /// What to draw: `count` images of one graph, or `count` clips of one frame sequence.
    public enum Work: Sendable, Equatable {
        case images(SceneGraph)
        case clips([SceneGraph])
    }

    public var work: Work
    /// Images (or clips); item k uses seed `settings.seed + k`, as `sample --count` does.
    public var count: Int
    public var settings: SampleSettings
    /// The sampler's name as given (for the status).
    public var samplerName: String
    /// Notes about the request that did not stop it (repeated relationships dropped, as `sample` says on stderr).
    public var notices: [String]

    /// The fields a body may have.
    static let fields = ["graph", "frames", "count", "seed", "sampler", "steps", "eta", "guidance", "relation_guidance", "guidance_cutoff", "object_guidance", "best_of", "size"]

    /// Images (or frames) this request draws.
    public var pictures: Int {
        switch work {
        case .images: count
        case .clips(let frames): count * frames.count
        }
    }

    /// Parses and checks `body` against the loaded models and the server's limits.
    public static func parse(_ body: [UInt8], models: LoadedModels, limits: ServerLimits) throws(APIError) -> GenerationRequest {
        guard let root = try? JSONSerialization.jsonObject(with: Data(body)) else { throw malformed(body) }
        guard let object = root as? [String: Any] else { throw .badRequest("the body must be a JSON object with \"graph\" or \"frames\"") }
        for key in object.keys.sorted() where !fields.contains(key) {
            throw .badRequest("unknown field \"\(key)\"; the fields are \(fields.joined(separator: ", "))", field: key)
        }
        let values = RequestFields(object)
        let (work, notices) = try parseWork(object, models: models)
        let pipeline: DiffusionPipeline
        switch work {
        case .images: pipeline = models.image
        case .clips:
            guard let video = models.video else { throw noVideoModel }
            pipeline = video
        }
        let count = try values.integer("count") ?? 1
        let seed = try values.seed() ?? 0
        let samplerName = try values.string("sampler") ?? "dpm++2m"
        let steps = try values.integer("steps")
        let eta = try values.number("eta")
        let guidance = try values.number("guidance") ?? SampleSettings.defaultGuidance
        let relationGuidance = try values.number("relation_guidance") ?? SampleSettings.defaultRelationGuidance
        let guidanceCutoff = try values.number("guidance_cutoff") ?? SampleSettings.defaultGuidanceCutoff
        let objectGuidance = try values.number("object_guidance") ?? SampleSettings.defaultObjectGuidance
        if case .clips = work, objectGuidance != 0, object["object_guidance"] != nil {
            throw .badRequest("object_guidance \(objectGuidance): object guidance applies to images; a clip is drawn without it", field: "object_guidance")
        }
        let bestOf = try values.integer("best_of") ?? 1
        if bestOf != 1, case .clips = work { throw .badRequest("best_of \(bestOf): best-of-N picks images; a clip is drawn once", field: "best_of") }
        let size = try values.integer("size")
        let timesteps = pipeline.setup.timesteps
        // Too much work is 422 naming the limit; a value that cannot be right is 400.
        if count > limits.imagesPerGeneration {
            throw .tooMuchWork("count \(count): a generation draws at most \(limits.imagesPerGeneration) (the server's limit; `sample --count` takes up to \(SampleLimits.mostImages))", field: "count")
        }
        // SampleLimits' bounds hold too; the server's own upper bound is the one to name.
        do { try SampleLimits.checkCount(count) } catch { throw .badRequest("count \(count): must lie in 1…\(limits.imagesPerGeneration)", field: "count") }
        if let steps, steps > timesteps {
            throw .tooMuchWork("steps must lie in 1…\(timesteps) (the model's training timesteps), got \(steps)", field: "steps")
        }
        if let size, size > SampleLimits.largestSize {
            do { _ = try pipeline.upscaleFactor(for: size) } catch { throw .tooMuchWork(apiMessage(error, option: "--size", field: "size"), field: "size") }
        }
        let sampler: SamplerKind
        do { sampler = try SamplerKind(name: samplerName, steps: steps, eta: eta, trainingSteps: timesteps) } catch {
            let message = "\(error)"
            let field = message.hasPrefix("--steps") ? "steps" : message.hasPrefix("--eta") ? "eta" : "sampler"
            throw .badRequest(apiMessage(error, option: "--" + field, field: field), field: field)
        }
        var settings = SampleSettings(sampler: sampler, guidance: guidance, seed: seed, size: size, relationGuidance: relationGuidance, bestOf: bestOf,
                                      guidanceCutoff: guidanceCutoff, objectGuidance: objectGuidance)
        if case .clips = work { settings = settings.forClips }
        do { try settings.check(for: pipeline) } catch {
            let message = "\(error)"
            let option = ["--relation-guidance", "--guidance-cutoff", "--object-guidance", "--guidance", "--steps", "--size", "--best-of"].first { message.hasPrefix($0) } ?? ""
            let field = option.isEmpty ? nil : String(option.dropFirst(2)).replacingOccurrences(of: "-", with: "_")
            throw .badRequest(apiMessage(error, option: option, field: field ?? ""), field: field)
        }
        let request = GenerationRequest(work: work, count: count, settings: settings, samplerName: samplerName, notices: notices)
        let side = size ?? pipeline.imageSize
        let pixels = request.pictures.multipliedReportingOverflow(by: side * side)
        if pixels.overflow || pixels.partialValue > limits.pixelsPerGeneration {
            throw .tooMuchWork("\(request.pictures) pictures of \(side)×\(side) pixels: a generation draws at most \(limits.pixelsPerGeneration) pixels (count × frames × size²)",
                               field: size == nil ? "count" : "size")
        }
        return request
    }

    static let noVideoModel = APIError.tooMuchWork("no video model is loaded, so frame sequences cannot be drawn: start the server with --video-model PATH", field: "frames")

    /// A body that is not JSON, located by line and column as the graph decoder locates a file's syntax error.
    static func malformed(_ body: [UInt8]) -> APIError {
        do { _ = try SceneGraphDecoder.decode(Data(body), source: "body") } catch let error as SceneGraphError {
            let at = error.line.map { "line \($0)" + (error.column.map { ", column \($0)" } ?? "") + ": " } ?? ""
            return .badRequest(at + error.message)
        } catch {}
        return .badRequest("malformed JSON")
    }

    /// The graph or frames of the body, decoded and validated as `sample` does a file.
    static func parseWork(_ object: [String: Any], models: LoadedModels) throws(APIError) -> (Work, [String]) {
        switch (object["graph"], object["frames"]) {
        case (nil, nil): throw .badRequest("the body needs \"graph\" (one scene graph) or \"frames\" (a frame sequence)", field: "graph")
        case (.some, .some): throw .badRequest("give \"graph\" or \"frames\", not both", field: "frames")
        case (let graph?, nil):
            let document = try decode(graph, source: "graph", prefix: "graph.")
            guard case .graph(let read) = document else {
                throw .badRequest("expected one graph object ({\"objects\": …}); a frame sequence goes in \"frames\"", field: "graph")
            }
            var duplicates = DuplicateRelationships()
            let graph = duplicates.distinct(read, at: "graph")
            do { try models.image.validator.validate(graph, source: "graph") } catch { throw located(error, prefix: "graph.") }
            return (.images(graph), duplicates.notice.map { [$0] } ?? [])
        case (nil, let frames?):
            guard let video = models.video else { throw noVideoModel }
            let document = try decode(["frames": frames], source: "frames", prefix: "")
            guard case .sequence(let sequence) = document else { throw .badRequest("expected a list of graphs", field: "frames") }
            var duplicates = DuplicateRelationships()
            let clip = sequence.frames.enumerated().map { duplicates.distinct($1, at: "frames[\($0)]") }
            do { try video.validateClip(clip, source: "frames") } catch { throw located(error, prefix: "") }
            return (.clips(clip), duplicates.notice.map { [$0] } ?? [])
        }
    }

    /// Decodes a JSON value with `SceneGraphDecoder`, as if it were a file's whole text.
    static func decode(_ value: Any, source: String, prefix: String) throws(APIError) -> SceneGraphDocument {
        guard JSONSerialization.isValidJSONObject(value), let data = try? JSONSerialization.data(withJSONObject: value) else {
            throw .badRequest("expected a graph object ({\"objects\": […], \"relationships\": […]})", field: source)
        }
        do { return try SceneGraphDecoder.decode(data, source: source) } catch { throw located(error, prefix: prefix) }
    }

    /// A decoder or validator error as a 400 with the CLI's message and the field's path in the body.
    static func located(_ error: any Error, prefix: String) -> APIError {
        guard let error = error as? SceneGraphError else { return .badRequest("\(error)") }
        let field = error.field.map { prefix + $0 } ?? String(prefix.dropLast())
        return .badRequest(error.message, field: field.isEmpty ? nil : field)
    }

    /// A `sample` option's message in the API's words: the field name where the CLI says `--option`.
    static func apiMessage(_ error: any Error, option: String, field: String) -> String {
        let message = "\(error)"
        guard !option.isEmpty, message.hasPrefix(option) else { return message }
        return field + message.dropFirst(option.count)
    }
}
