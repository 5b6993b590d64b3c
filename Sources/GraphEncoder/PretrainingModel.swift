import Foundation
import NN
import Tensors

/// Everything masked-contrastive pretraining trains: the graph encoder (`encoder.*`, the names the
/// denoiser loads), the image encoder, the reconstruction block, the box regression of the layout
/// objective and CLIP's learnable logit scale.
public final class PretrainingModel: Module {
    public let encoder: GraphEncoder
    public let imageEncoder: ImageEncoder
    public let reconstruction: MaskedReconstruction
    public let boxes: BoxRegression
    /// log(1/temperature), initialised to ln(1/0.07) and kept in [0, ln 100] after each step.
    public let logitScale: Tensor

    public static let maximumLogitScale = Float(Foundation.log(100.0))

    public init(graph: GraphEncoderConfiguration, image: ImageEncoderConfiguration, rng: inout RandomGenerator) {
        require(image.globalDimension == graph.globalDimension, "image and graph global vectors must have the same width")
        encoder = GraphEncoder(graph, rng: &rng)
        imageEncoder = ImageEncoder(image, rng: &rng)
        reconstruction = MaskedReconstruction(width: image.width, graphTokenWidth: 3 * graph.dimension, heads: image.heads, rng: &rng)
        logitScale = Tensor(shape: [1], scalars: [Float(Foundation.log(1 / 0.07))], requiresGrad: true)
        boxes = BoxRegression(dimension: graph.dimension, hidden: graph.hidden, rng: &rng)
        requireEveryLayerListed(as: "pretrain")
    }

    public var localParameters: [(String, Tensor)] { [("logit_scale", logitScale)] }
    public var children: [(String, any Module)] {
        [("encoder", encoder), ("image_encoder", imageEncoder), ("reconstruction", reconstruction), ("box_net", boxes)]
    }

    /// Keeps the logit scale in [0, ln 100] (CLIP clamps it so the softmax cannot become a hard max).
    public func clampLogitScale() {
        logitScale.withMutableData { $0[0] = min(max($0[0], 0), Self.maximumLogitScale) }
    }
}
