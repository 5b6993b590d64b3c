import Diffusion
import Foundation
import GraphEncoder
import Hummingbird
import HummingbirdTesting
import NN
import Pipeline
import SceneGraphs
import Tensors
@testable import Server

/// A server over tiny random models in memory (16-px images), as the other modules' tests build them.
enum TinyModels {
    static let vocabulary: Vocabulary = {
        guard let v = try? Vocabulary(objects: [Vocabulary.imageObject, "red circle", "blue square", "green triangle"],
                                      predicates: [Vocabulary.inImagePredicate, "left of", "right of", "above"]) else { preconditionFailure("vocabulary") }
        return v
    }()

    static func configuration(frames: Int = 0) -> ModelConfiguration {
        var configuration = ModelConfiguration(
            encoder: GraphEncoderConfiguration(objectClasses: 4, predicateClasses: 4, dimension: 8, hidden: 16, layers: 1, globalDimension: 16, maxTriples: 6),
            unet: UNetConfiguration(channels: 8, multipliers: [1], residualBlocks: 1, attentionLevels: [0], heads: 2, normGroups: 4),
            contextDimension: 16)
        configuration.unet.frames = frames
        return configuration
    }

    static func pipeline(frames: Int = 0, metadata: [String: String] = [:]) -> DiffusionPipeline {
        var rng = RandomGenerator(seed: 3)
        return DiffusionPipeline(model: SceneGraphDiffusion(configuration(frames: frames), rng: &rng), vocabulary: vocabulary,
                                 setup: DiffusionSetup(imageSize: 16), metadata: metadata)
    }

    static func models(video: Bool = false, metadata: [String: String] = [:]) -> LoadedModels {
        LoadedModels(image: pipeline(metadata: metadata), video: video ? pipeline(frames: 4) : nil, imageFile: "tiny.safetensors",
                     videoFile: video ? "tiny_video.safetensors" : nil)
    }
}

/// The routes over a queue, for `app.test(.router)`; `start: false` leaves the worker idle so generations stay queued.
struct TestServer {
    let models: LoadedModels
    let queue: GenerationQueue
    let routes: APIRoutes
    let scratch: URL

    init(models: LoadedModels = TinyModels.models(), limits: ServerLimits = ServerLimits(), token: String? = nil, start: Bool = true) throws {
        self.models = models
        scratch = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("server-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        queue = GenerationQueue(models: models, store: GenerationStore(limits: limits), scratch: scratch)
        if start { queue.start() }
        routes = APIRoutes(models: models, queue: queue, limits: limits, token: token)
    }

    var app: some ApplicationProtocol { Application(router: routes.router()) }

    /// Stops the worker and removes the scratch folder.
    func stop() async {
        await queue.shutdown()
        try? FileManager.default.removeItem(at: scratch)
    }
}

/// JSON helpers for responses.
enum Body {
    static func object(_ buffer: ByteBuffer) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(buffer: buffer))) as? [String: Any] ?? [:]
    }

    static func error(_ buffer: ByteBuffer) -> (message: String, field: String?) {
        let error = object(buffer)["error"] as? [String: Any] ?? [:]
        return (error["message"] as? String ?? "", error["field"] as? String)
    }

    static func buffer(_ text: String) -> ByteBuffer { ByteBuffer(string: text) }
}

extension TestClientProtocol {
    /// POSTs a generation body and hands the response to `callback`.
    @discardableResult
    func post<Value>(_ json: String, _ callback: @escaping (TestResponse) async throws -> Value) async throws -> Value {
        try await execute(uri: "/v1/generations", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: json),
                          testCallback: callback)
    }

    /// Polls a generation until it is final (or `seconds` pass) and returns its status JSON.
    func waitUntilFinal(_ id: String, seconds: Double = 60) async throws -> [String: Any] {
        let deadline = Date().addingTimeInterval(seconds)
        while true {
            let json = try await execute(uri: "/v1/generations/\(id)", method: .get) { Body.object($0.body) }
            let status = json["status"] as? String ?? ""
            if ["done", "failed", "cancelled"].contains(status) || Date() > deadline { return json }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}
