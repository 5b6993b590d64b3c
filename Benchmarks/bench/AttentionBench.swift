import Tensors

/// Attention, softmax and GEGLU forward/backward at the default UNet's shapes (batch 32).
func benchAttentionOps(reps: Int) {
    var rng = RandomGenerator(seed: 5)
    func leaf(_ shape: [Int]) -> Tensor { let t = Tensor.normal(shape, using: &rng); t.requiresGrad = true; return t }
    for (label, nq, nk, masked) in [("self-attention N=256 C=64 4 heads", 256, 256, false),
                                    ("self-attention N=64 C=64 4 heads", 64, 64, false),
                                    ("cross-attention Nq=256 Nk=16 C=64 masked", 256, 16, true)] {
        let q = leaf([32, nq, 64]), k = leaf([32, nk, 64]), v = leaf([32, nk, 64])
        let mask: [Bool]? = masked ? (0..<(32 * nk)).map { $0 % nk < 9 || $0 % nk == nk - 1 } : nil
        timeForwardBackward("\(label) B=32", reps: reps) { scaledDotProductAttention(query: q, key: k, value: v, heads: 4, keyMask: mask) }
    }
    // A temporal layer's attention across the 8 frames of 4 clips, at every position of a level.
    for (positions, c) in [(32 * 32, 32), (16 * 16, 64)] {
        let q = leaf([4 * positions, 8, c]), k = leaf([4 * positions, 8, c]), v = leaf([4 * positions, 8, c])
        timeForwardBackward("temporal attention N=8 C=\(c) 4 heads B=\(4 * positions)", reps: reps) {
            scaledDotProductAttention(query: q, key: k, value: v, heads: 4)
        }
    }
    let s = leaf([32 * 4 * 256, 256])
    timeForwardBackward("softmax [32768, 256]", reps: reps) { softmax(s) }
    let g = leaf([32, 256, 512])
    timeForwardBackward("geglu [32, 256, 512]", reps: reps) { geglu(g) }
}
