// Multi-head scaled dot-product attention as one op.
// query [B, Nq, C], key/value [B, Nk, C], C = heads·dh; head h reads columns h·dh..<(h+1)·dh,
// as the reference's view(B, N, h, dh).transpose(1, 2) — so no permute is materialised: every
// GEMM addresses its head with a pointer offset and leading dimension C.
//   S = Q·Kᵀ/√dh (masked keys → −∞),  P = softmax(S),  O = P·V
// P is saved for the pullback only when one is recorded (inference keeps one [Nq, Nk] block per
// worker, in cache); the pullback's dS likewise lives in a per-worker block.
// Pullback: dV = Pᵀ·dO,  dP = dO·Vᵀ,  dS = P ⊙ (dP − rowsum(dP ⊙ P)),  dQ = dS·K/√dh,  dK = dSᵀ·Q/√dh

/// Attention of `query` over `key`/`value` with `heads` heads; `keyMask` [B·Nk], true = attend.
/// A query whose keys are all masked gets zeros (and zero gradients) instead of NaN.
public func scaledDotProductAttention(query: Tensor, key: Tensor, value: Tensor, heads: Int, keyMask: [Bool]? = nil) -> Tensor {
    require(query.rank == 3 && key.rank == 3 && key.shape == value.shape && query.shape[0] == key.shape[0]
                 && query.shape[2] == key.shape[2], "attention: query \(query.shape), key \(key.shape), value \(value.shape)")
    let (batch, nq, c) = (query.shape[0], query.shape[1], query.shape[2]), nk = key.shape[1]
    require(c % heads == 0, "attention: \(c) channels in \(heads) heads")
    if let keyMask { require(keyMask.count == batch * nk, "attention: mask of \(keyMask.count) for [\(batch), \(nk)] keys") }
    let dh = c / heads, scale = 1 / Float(dh).squareRoot(), pairs = batch * heads
    // Without a pullback the probabilities are never saved: each worker reuses one [Nq, Nk]
    // block that stays in cache instead of streaming [B, heads, Nq, Nk] through memory.
    let keepProbs = GradMode.isEnabled && (query.requiresGrad || key.requiresGrad || value.requiresGrad)
    let probs = keepProbs ? Tensor.uninitialized([batch, heads, nq, nk]) : nil
    let out = Tensor.uninitialized(query.shape)
    let qp = query.storage.pointer, kp = key.storage.pointer, vp = value.storage.pointer
    let op = out.storage.pointer
    // The mask as one additive row per image (0 attended, −∞ masked), added inside the softmax
    // pass: no column-strided −∞ stores into the scores.
    let maskBias = keyMask.map { m in Tensor(shape: [batch * nk], scalars: m.map { $0 ? 0 : -Float.infinity }) }
    let biasPointer = maskBias.map { UnsafePointer($0.storage.pointer) }
    withExtendedLifetime(maskBias) {
        forEachHead(pairs, scratchCount: probs == nil ? nq * nk : 0) { pair, scratch in
            let b = pair / heads, h = pair % heads
            let q = qp + b * nq * c + h * dh, k = kp + b * nk * c + h * dh, v = vp + b * nk * c + h * dh
            let p = probs.map { $0.storage.pointer + pair * nq * nk } ?? scratch
            BLAS.gemm(transB: true, m: nq, n: nk, k: dh, alpha: scale, a: q, lda: c, b: k, ldb: c, c: p)
            let bias = biasPointer.map { $0 + b * nk }
            for i in 0..<nq { softmaxRow(p + i * nk, p + i * nk, nk, bias: bias) }
            BLAS.gemm(m: nq, n: dh, k: nk, a: p, b: v, ldb: c, c: op + b * nq * c + h * dh, ldc: c)
        }
    }
    guard let probs else { return out }
    return out.recording([query, key, value]) { g in
        let dq = Tensor.uninitialized(query.shape), dk = Tensor.uninitialized(key.shape), dv = Tensor.uninitialized(value.shape)
        let gp = g.storage.pointer, dqp = dq.storage.pointer, dkp = dk.storage.pointer, dvp = dv.storage.pointer
        // Read the saved probabilities through the tensor so the closure keeps them alive.
        let pp = probs.storage.pointer
        forEachHead(pairs, scratchCount: nq * nk) { pair, ds in
            let b = pair / heads, h = pair % heads
            let qOff = b * nq * c + h * dh, kOff = b * nk * c + h * dh
            let p = pp + pair * nq * nk
            // dV = Pᵀ · dO
            BLAS.gemm(transA: true, m: nk, n: dh, k: nq, a: p, b: gp + qOff, ldb: c, c: dvp + kOff, ldc: c)
            // dP = dO · Vᵀ, then dS in place
            BLAS.gemm(transB: true, m: nq, n: nk, k: dh, a: gp + qOff, lda: c, b: vp + kOff, ldb: c, c: ds)
            for i in 0..<nq { softmaxRowBackward(p + i * nk, ds + i * nk, ds + i * nk, nk) }
            // dQ = dS · K / √dh,  dK = dSᵀ · Q / √dh
            BLAS.gemm(m: nq, n: dh, k: nk, alpha: scale, a: ds, b: kp + kOff, ldb: c, c: dqp + qOff, ldc: c)
            BLAS.gemm(transA: true, m: nk, n: dh, k: nq, alpha: scale, a: ds, b: qp + qOff, ldb: c, c: dkp + kOff, ldc: c)
        }
        return [query.requiresGrad ? dq : nil, key.requiresGrad ? dk : nil, value.requiresGrad ? dv : nil]
    }
}

/// Runs one (batch, head) pair per call, spread over the cores; each worker passes its own
/// scratch block of `scratchCount` floats (reused across its pairs, so it stays in cache).
/// Each pair writes disjoint memory.
func forEachHead(_ pairs: Int, scratchCount: Int, _ body: (Int, UnsafeMutablePointer<Float>) -> Void) {
    parallelChunks(pairs, minimumPerThread: 1) { range in
        let scratch = Tensor.uninitialized([scratchCount])
        withExtendedLifetime(scratch) { for pair in range { body(pair, scratch.storage.pointer) } }
    }
}
