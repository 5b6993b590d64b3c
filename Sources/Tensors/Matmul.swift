// Matrix products on OpenBLAS. Shapes: op(A) is [M, K], op(B) is [K, N], C is [M, N]; a batched
// product repeats that over a leading batch dimension.
//
// Pullbacks of C = op(A)·op(B):  dop(A) = G·op(B)ᵀ,  dop(B) = op(A)ᵀ·G, transposed back when the
// operand was stored transposed.

/// op(a) · op(b) for rank-2 tensors.
public func matmul(_ a: Tensor, _ b: Tensor, transposeA: Bool = false, transposeB: Bool = false) -> Tensor {
    require(a.rank == 2 && b.rank == 2, "matmul takes rank-2 tensors, got \(a.shape) and \(b.shape)")
    let out = batchedMatmul(a.reshaped([1] + a.shape), b.reshaped([1] + b.shape), transposeA: transposeA, transposeB: transposeB)
    return out.reshaped(Array(out.shape.dropFirst()))
}

/// op(a[i]) · op(b[i]) for every i of the leading batch dimension ([B, M, K] · [B, K, N] → [B, M, N]).
public func batchedMatmul(_ a: Tensor, _ b: Tensor, transposeA: Bool = false, transposeB: Bool = false) -> Tensor {
    require(a.rank == 3 && b.rank == 3 && a.shape[0] == b.shape[0], "batchedMatmul shapes \(a.shape), \(b.shape)")
    let batch = a.shape[0]
    let (m, k) = transposeA ? (a.shape[2], a.shape[1]) : (a.shape[1], a.shape[2])
    let (kb, n) = transposeB ? (b.shape[2], b.shape[1]) : (b.shape[1], b.shape[2])
    require(k == kb, "inner dimensions differ: \(a.shape)\(transposeA ? "ᵀ" : "") · \(b.shape)\(transposeB ? "ᵀ" : "")")
    let out = Tensor.uninitialized([batch, m, n])
    gemmBatch(batch, transA: transposeA, transB: transposeB, m: m, n: n, k: k, a: a.storage.pointer, b: b.storage.pointer, c: out.storage.pointer)
    return out.recording([a, b]) { g in
        var ga: Tensor? = nil, gb: Tensor? = nil
        let gp = g.storage.pointer
        if a.requiresGrad {
            let t = Tensor.uninitialized(a.shape)
            if transposeA {   // dA = op(B) · Gᵀ  → [K, M]
                gemmBatch(batch, transA: transposeB, transB: true, m: k, n: m, k: n, a: b.storage.pointer, b: gp, c: t.storage.pointer)
            } else {          // dA = G · op(B)ᵀ → [M, K]
                gemmBatch(batch, transA: false, transB: !transposeB, m: m, n: k, k: n, a: gp, b: b.storage.pointer, c: t.storage.pointer)
            }
            ga = t
        }
        if b.requiresGrad {
            let t = Tensor.uninitialized(b.shape)
            if transposeB {   // dB = Gᵀ · op(A) → [N, K]
                gemmBatch(batch, transA: true, transB: transposeA, m: n, n: k, k: m, a: gp, b: a.storage.pointer, c: t.storage.pointer)
            } else {          // dB = op(A)ᵀ · G → [K, N]
                gemmBatch(batch, transA: !transposeA, transB: false, m: k, n: n, k: m, a: a.storage.pointer, b: gp, c: t.storage.pointer)
            }
            gb = t
        }
        return [ga, gb]
    }
}

/// Contiguous [batch, ·, ·] operands; one GEMM per batch entry.
func gemmBatch(_ batch: Int, transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
               a: UnsafePointer<Float>, b: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>) {
    if batch == 1 {
        BLAS.parallelGemm(transA: transA, transB: transB, m: m, n: n, k: k, a: a, b: b, c: c)
        return
    }
    parallelChunks(batch, minimumPerThread: max(1, (1 << 20) / max(m * n * k, 1))) { range in
        for i in range {
            BLAS.gemm(transA: transA, transB: transB, m: m, n: n, k: k, a: a + i * m * k, b: b + i * k * n, c: c + i * m * n)
        }
    }
}

/// x · weightᵀ + bias over the last dimension: x [*, in], weight [out, in] (PyTorch layout), bias [out].
/// With `residual` (the output's shape) the result is residual + x · weightᵀ + bias: the GEMM
/// accumulates (β = 1) onto residual + bias, written in the pass that would otherwise only fill
/// the bias, so a transformer's `h + proj(…)` costs no separate add pass over the tokens.
public func linear(_ x: Tensor, weight: Tensor, bias: Tensor?, residual: Tensor? = nil) -> Tensor {
    let inFeatures = weight.shape[1], outFeatures = weight.shape[0]
    require(weight.rank == 2 && x.shape.last == inFeatures, "linear: input \(x.shape), weight \(weight.shape)")
    let rows = x.count / max(inFeatures, 1)
    let outShape = Array(x.shape.dropLast()) + [outFeatures]
    let out = Tensor.uninitialized(outShape)
    let po = out.storage.pointer
    if let bias { require(bias.shape == [outFeatures], "linear: bias \(bias.shape) for \(outFeatures) outputs") }
    if let residual { require(residual.shape == outShape, "linear: residual \(residual.shape) for output \(outShape)") }
    withExtendedLifetime((x, weight, bias, residual)) {
        linearForward(x: x.storage.pointer, weight: weight.storage.pointer, bias: bias?.storage.pointer,
                      residual: residual?.storage.pointer, out: po, rows: rows, inFeatures: inFeatures, outFeatures: outFeatures)
    }
    var inputs = bias.map { [x, weight, $0] } ?? [x, weight]
    if let residual { inputs.append(residual) }
    return out.recording(inputs) { g in
        let gp = g.storage.pointer
        var grads: [Tensor?] = [nil, nil]
        if x.requiresGrad {     // dx = G · W
            let t = Tensor.uninitialized(x.shape)
            BLAS.parallelGemm(m: rows, n: inFeatures, k: outFeatures, a: gp, b: weight.storage.pointer, c: t.storage.pointer)
            grads[0] = t
        }
        if weight.requiresGrad { // dW = Gᵀ · x
            let t = Tensor.uninitialized(weight.shape)
            BLAS.parallelGemm(transA: true, m: outFeatures, n: inFeatures, k: rows, a: gp, b: x.storage.pointer, c: t.storage.pointer)
            grads[1] = t
        }
        if let bias {
            grads.append(bias.requiresGrad ? g.summed(toShape: [outFeatures]) : nil)
        }
        if residual != nil { grads.append(g) }
        return grads
    }
}
