import RunConfiguration
import ArgumentParser
import Foundation
import Training

/// A clip training step against an image training step of the same 32 images (4 clips × 8 frames
/// against a batch of 32), interleaved so both see the same machine; randomly initialised models do
/// the work of trained ones. The temporal layers must cost little: the ratio is the figure.
struct TrainStepBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "train-step", abstract: "Seconds per image step and clip step, interleaved, and their ratio.")
    @Option(help: "Image model config.") var imageConfig = "configs/shapes32.yaml"
    @Option(help: "Video model config.") var videoConfig = "configs/shapes32_video.yaml"
    @Option(help: "Timed pairs (median reported) after one warm-up step each.") var reps = 5

    func run() throws {
        printEnvironment()
        let imageFile = try ConfigFile(url: URL(fileURLWithPath: imageConfig), overrides: [])
        let videoFile = try ConfigFile(url: URL(fileURLWithPath: videoConfig), overrides: [])
        let image = try DenoiserTraining(model: try imageFile.model(), recipe: try imageFile.read { try TrainingConfiguration.parse(root: $0, source: $1) },
                                         data: try imageFile.read { try DataConfiguration.parse(root: $0, source: $1) })
        let clip = try ClipTraining(model: try videoFile.model(), recipe: try videoFile.read { try TrainingConfiguration.parse(root: $0, source: $1) },
                                    data: try videoFile.read { try DataConfiguration.parse(root: $0, source: $1) }, imageModel: nil, restoring: true)
        _ = try image.trainStep(); _ = try clip.trainStep()
        var imageSeconds: [Double] = [], clipSeconds: [Double] = [], ratios: [Double] = []
        for _ in 0..<reps {
            var start = Date()
            _ = try image.trainStep()
            imageSeconds.append(Date().timeIntervalSince(start))
            start = Date()
            _ = try clip.trainStep()
            clipSeconds.append(Date().timeIntervalSince(start))
            ratios.append(clipSeconds.last! / imageSeconds.last!)
        }
        func median(_ xs: [Double]) -> Double { let s = xs.sorted(); return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2 }
        print(String(format: "{\"image_step_s\": %.4f, \"clip_step_s\": %.4f, \"clip_over_image\": %.3f, \"pairs\": %d, \"images_per_step\": %d}",
                     median(imageSeconds), median(clipSeconds), median(ratios), reps, image.recipe.batch))
    }
}
