import Foundation
import GraphEncoder
import NN
import Tensors
@testable import Diffusion

/// The reference's tiny model, its weights and its recorded inputs/outputs (Tests/Fixtures).
struct ReferenceFixture {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    let weights: SafeTensorsFile
    let io: SafeTensorsFile
    let configuration: ModelConfiguration
    let graphs: GraphBatch
    let x: Tensor
    let timesteps: [Int]
    let lossWeights: Tensor

    init() throws {
        weights = try SafeTensorsFile(contentsOf: Self.folder.appendingPathComponent("model_tiny.weights.safetensors"))
        io = try SafeTensorsFile(contentsOf: Self.folder.appendingPathComponent("model_tiny.io.safetensors"))
        configuration = try ModelConfiguration.parse(referenceConfig: weights.metadata["config"] ?? "")
        let objs = try io.ints("objs").values, triples = try io.ints("triples").values
        let o2i = try io.ints("obj_to_img").values, t2i = try io.ints("triple_to_img").values
        graphs = GraphBatch(objects: objs, triples: triples, objectToImage: o2i, tripleToImage: t2i, imageCount: (o2i.max() ?? 0) + 1)
        let (xs, xv) = try io.floats("x")
        x = Tensor(shape: xs, scalars: xv)
        timesteps = try io.ints("t").values
        let (ws, wv) = try io.floats("loss_weights")
        lossWeights = Tensor(shape: ws, scalars: wv)
    }

    /// A model with the fixture's weights loaded by name.
    func model() throws -> SceneGraphDiffusion {
        var rng = RandomGenerator(seed: 0)
        let m = SceneGraphDiffusion(configuration, rng: &rng)
        try m.loadParameters(from: weights, source: "model_tiny.weights.safetensors")
        return m
    }

    func reference(_ name: String) throws -> Tensor {
        let (s, v) = try io.floats(name)
        return Tensor(shape: s, scalars: v)
    }
}

/// max|a − b| / max|b|: the parity measure for activations.
func errorRelativeToLargest(_ a: [Float], _ b: [Float]) -> Float {
    let scale = b.reduce(0) { max($0, abs($1)) }
    return zip(a, b).reduce(0) { max($0, abs($1.0 - $1.1)) } / max(scale, 1e-12)
}

/// ‖a − b‖ / ‖b‖: the parity measure for gradients and updated weights.
func normRelativeError(_ a: [Float], _ b: [Float]) -> Double {
    var d = 0.0, n = 0.0
    for (x, y) in zip(a, b) { d += Double(x - y) * Double(x - y); n += Double(y) * Double(y) }
    return (d / max(n, 1e-30)).squareRoot()
}

/// Euclidean norm in Double.
func normOf(_ a: [Float]) -> Double { a.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot() }
