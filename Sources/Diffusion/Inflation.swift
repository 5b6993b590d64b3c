import NN
import Tensors

extension SceneGraphDiffusion {
    /// Whether a parameter name belongs to the temporal layers (`…temporal.…`, `unet.mid_temporal.…`).
    public static func isTemporal(_ name: String) -> Bool { name.contains("temporal.") }

    /// Copies every parameter of `image` (an image model) into this video model's image layers.
    /// The two must be the same model apart from `model.frames`; the error names the first key
    /// that differs, and `source` (the image model's file).
    public func loadImageWeights(from image: SceneGraphDiffusion, source: String) throws {
        var expected = configuration
        expected.unet.frames = 0
        expected.unet.frameNoiseCorrelation = 0
        expected.unet.contextFrames = 0
        expected.unet.keyframes = false
        expected.unet.temporalLevels = nil
        guard image.configuration == expected else {
            let mine = expected.section.values, theirs = image.configuration.section.values
            let key = zip(mine, theirs).first { "\($0.0.1.text)" != "\($0.1.1.text)" }?.0.0 ?? "frames"
            throw ConfigurationError(source: source, key: "model.\(key)",
                                     message: "the model file differs from the config in model.\(key); the run starts from exactly that model")
        }
        let target = Dictionary(uniqueKeysWithValues: namedParameters().filter { !Self.isTemporal($0.0) })
        for (name, p) in image.namedParameters() {
            guard let q = target[name], q.shape == p.shape else {
                throw ModelFileError(path: source, message: "parameter \(name) has no counterpart in the video model")
            }
            q.storage.pointer.update(from: p.storage.pointer, count: p.count)
        }
    }
}
