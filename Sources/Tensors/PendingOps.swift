// Stand-ins until the conv/norm and attention op branches merge (then this file is deleted).
public func conv2d(_ x: Tensor, weight: Tensor, bias: Tensor?, stride: Int = 1, padding: Int = 0) -> Tensor { fatalError("pending") }
public func upsampleNearest2x(_ x: Tensor) -> Tensor { fatalError("pending") }
public func groupNorm(_ x: Tensor, groups: Int, weight: Tensor, bias: Tensor, eps: Float = 1e-5) -> Tensor { fatalError("pending") }
public func layerNorm(_ x: Tensor, weight: Tensor, bias: Tensor, eps: Float = 1e-5) -> Tensor { fatalError("pending") }
public func relu(_ x: Tensor) -> Tensor { fatalError("pending") }
public func silu(_ x: Tensor) -> Tensor { fatalError("pending") }
public func gelu(_ x: Tensor) -> Tensor { fatalError("pending") }
public func geglu(_ x: Tensor) -> Tensor { fatalError("pending") }
public func softmax(_ x: Tensor) -> Tensor { fatalError("pending") }
public func scaledDotProductAttention(query: Tensor, key: Tensor, value: Tensor, heads: Int, keyMask: [Bool]? = nil) -> Tensor { fatalError("pending") }
public func mseLoss(_ prediction: Tensor, _ target: Tensor) -> Tensor { fatalError("pending") }
public func crossEntropy(logits: Tensor, labels: [Int]) -> Tensor { fatalError("pending") }
public func l2Normalize(_ x: Tensor, eps: Float = 1e-12) -> Tensor { fatalError("pending") }
