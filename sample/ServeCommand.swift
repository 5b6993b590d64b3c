import ArgumentParser
import Foundation
import Pipeline
import Server
import Tensors

/// `sample serve`: the page and the HTTP API over the shipped (or given) models, until SIGTERM / SIGINT.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve a graph editor page and an HTTP API (openapi.yaml) that draw with one loaded model.",
        discussion: """
        sample serve                                       http://127.0.0.1:8080/ with the shipped model
        sample serve --model m.safetensors --port 0        any free port (printed)
        sample serve --host 0.0.0.0 --token SECRET         reachable from other machines: clients send "Authorization: Bearer SECRET"
        SIGTERM or Ctrl-C stops taking work, cancels what runs and exits 0.
        """)

    @Option(help: "Model file (default the shipped weights/shapes32.safetensors, found from any folder or in $SGD_WEIGHTS).") var model: String?
    @Option(help: "Video model for frame sequences (default weights/shapes32_video.safetensors if it exists; without one, the image model draws every frame from the same noise).") var videoModel: String?
    @Option(help: "Pretrained encoders that rank best_of candidates (default the shipped weights/shapes32_encoder.safetensors if found).") var scorer: String?
    @Option(help: "Address to bind; any but loopback needs --token.") var host = "127.0.0.1"
    @Option(help: "Port (0 = any free port).") var port = 8080
    @Option(help: "Bearer token every /v1 request must send.") var token: String?

    func run() async throws {
        let options = ServeOptions(host: host, port: port, token: token)
        do {
            try options.check()
            OpenBLASCore.ensureOptimizedKernels()
            let models = try LoadedModels.load(image: model.map { URL(fileURLWithPath: $0) }, video: videoModel.map { URL(fileURLWithPath: $0) },
                                               scorer: scorer.map { URL(fileURLWithPath: $0) })
            let names = "model \(models.imageFile ?? "?"), video model "
                + (models.video === models.image ? "none: the image model draws frames" : models.videoFile ?? "none")
            try await GenerationServer.run(models: models, options: options) { url in
                FileHandle.standardError.write(Data("sample serve: \(url) (\(names)); SIGTERM or Ctrl-C stops\n".utf8))
            }
            FileHandle.standardError.write(Data("sample serve: stopped\n".utf8))
        } catch {
            FileHandle.standardError.write(Data("sample serve: \(error)\n".utf8))
            throw ExitCode.failure
        }
    }
}
