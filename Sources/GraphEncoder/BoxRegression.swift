import NN
import Tensors

/// sg2im's box net: each object's encoded vector → its box (x0, y0, x1, y1) in [0, 1] of the image.
/// Pretraining regresses the true boxes from the graph alone, so the encoder has to turn relations
/// into where objects are: with the contrastive loss alone "left of" and "right of" ended at the
/// same global vector (cosine 0.9993 after 750 steps on two-object scenes).
public final class BoxRegression: Module {
    public let net: MLP

    public init(dimension: Int, hidden: Int, rng: inout RandomGenerator) {
        net = MLP([dimension, hidden, 4], reluAfterLast: false, initialization: .kaimingNormal, rng: &rng)
    }

    public var children: [(String, any Module)] { [("net", net)] }

    /// objects [O, D] → boxes [O, 4].
    public func callAsFunction(_ objects: Tensor) -> Tensor { net(objects) }
}
