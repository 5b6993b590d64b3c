// 1×1 convolutions between the image layout [B, C, H, W] and the token layout [B, H·W, C] of a
// SpatialTransformer, as one GEMM per image with a transposed operand instead of a convolution
// plus a materialised permute (a full copy of the activation each way).
//
//   tokens_b [HW, Cout] = x_bᵀ · Wᵀ                 (pointwiseConvToTokens)
//   out_b [Cout, HW]    = W · tokens_bᵀ (+ residual)  (pointwiseConvFromTokens)
//
// Each one's input gradient is the other one with the transposed weight; dW sums one GEMM per
// image (these convolutions are a fraction of a percent of a training step's FLOPs).

/// [Cout, Cin, 1, 1] → [Cin, Cout, 1, 1].
private func transposedPointwiseWeight(_ weight: Tensor) -> Tensor {
    let (cout, cin) = (weight.shape[0], weight.shape[1])
    return weight.reshaped([cout, cin]).transposed(0, 1).reshaped([cin, cout, 1, 1])
}

private func requirePointwise(_ weight: Tensor, _ bias: Tensor?, inChannels: Int, _ name: String) {
    require(weight.rank == 4 && weight.shape[2] == 1 && weight.shape[3] == 1 && weight.shape[1] == inChannels,
            "\(name): weight \(weight.shape) for \(inChannels) input channels")
    if let bias { require(bias.shape == [weight.shape[0]], "\(name): bias \(bias.shape) for weight \(weight.shape)") }
}

/// conv2d(x, weight 1×1, bias) permuted to tokens: x [B, Cin, H, W] → [B, H·W, Cout].
public func pointwiseConvToTokens(_ x: Tensor, weight: Tensor, bias: Tensor?) -> Tensor {
    require(x.rank == 4, "pointwiseConvToTokens: input \(x.shape)")
    let (batch, cin, plane) = (x.shape[0], x.shape[1], x.shape[2] * x.shape[3])
    requirePointwise(weight, bias, inChannels: cin, "pointwiseConvToTokens")
    let cout = weight.shape[0]
    let out = Tensor.uninitialized([batch, plane, cout])
    let xp = x.storage.pointer, wp = weight.storage.pointer, op = out.storage.pointer
    let bp = bias?.storage.pointer
    parallelChunks(batch) { images in
        for b in images {
            let o = op + b * plane * cout
            if let bp { for r in 0..<plane { (o + r * cout).update(from: bp, count: cout) } }
            BLAS.gemm(transA: true, transB: true, m: plane, n: cout, k: cin, a: xp + b * cin * plane, lda: plane,
                      b: wp, ldb: cin, beta: bp == nil ? 0 : 1, c: o)
        }
    }
    let inputs = bias.map { [x, weight, $0] } ?? [x, weight]
    return out.recording(inputs) { g in
        let dx = x.requiresGrad
            ? GradMode.disabled { pointwiseConvFromTokens(g, weight: transposedPointwiseWeight(weight), bias: nil,
                                                          height: x.shape[2], width: x.shape[3]) }
            : nil
        var dw: Tensor? = nil
        if weight.requiresGrad {   // dW = Σ_b g_bᵀ · x_bᵀ
            let t = Tensor.uninitialized(weight.shape), gp = g.storage.pointer
            for b in 0..<batch {
                BLAS.gemm(transA: true, transB: true, m: cout, n: cin, k: plane, a: gp + b * plane * cout, lda: cout,
                          b: xp + b * cin * plane, ldb: plane, beta: b == 0 ? 0 : 1, c: t.storage.pointer)
            }
            dw = t
        }
        var grads: [Tensor?] = [dx, dw]
        if let bias { grads.append(bias.requiresGrad ? g.summed(toShape: [cout]) : nil) }
        return grads
    }
}

/// conv2d(tokens permuted back to [B, Cin, H, W], weight 1×1, bias) + residual:
/// tokens [B, H·W, Cin] → [B, Cout, H, W].
public func pointwiseConvFromTokens(_ tokens: Tensor, weight: Tensor, bias: Tensor?, residual: Tensor? = nil,
                                    height: Int, width: Int) -> Tensor {
    require(tokens.rank == 3 && tokens.shape[1] == height * width, "pointwiseConvFromTokens: tokens \(tokens.shape) for \(height)×\(width)")
    let (batch, plane, cin) = (tokens.shape[0], tokens.shape[1], tokens.shape[2])
    requirePointwise(weight, bias, inChannels: cin, "pointwiseConvFromTokens")
    let cout = weight.shape[0]
    let out = Tensor.uninitialized([batch, cout, height, width])
    if let residual { require(residual.shape == out.shape, "pointwiseConvFromTokens: residual \(residual.shape) for output \(out.shape)") }
    let tp = tokens.storage.pointer, wp = weight.storage.pointer, op = out.storage.pointer
    let bp = bias?.storage.pointer, rp = residual?.storage.pointer
    parallelChunks(batch) { images in
        for b in images {
            let o = op + b * cout * plane
            // residual + bias in one pass; the GEMM then accumulates onto it.
            for c in 0..<cout {
                let oc = o + c * plane, bc = bp?[c] ?? 0
                if let rp {
                    let rc = rp + (b * cout + c) * plane
                    for i in 0..<plane { oc[i] = rc[i] + bc }
                } else if bp != nil {
                    oc.update(repeating: bc, count: plane)
                }
            }
            BLAS.gemm(transB: true, m: cout, n: plane, k: cin, a: wp, lda: cin, b: tp + b * plane * cin, ldb: cin,
                      beta: bp == nil && rp == nil ? 0 : 1, c: o)
        }
    }
    var inputs = bias.map { [tokens, weight, $0] } ?? [tokens, weight]
    if let residual { inputs.append(residual) }
    return out.recording(inputs) { g in
        let dt = tokens.requiresGrad
            ? GradMode.disabled { pointwiseConvToTokens(g, weight: transposedPointwiseWeight(weight), bias: nil) }
            : nil
        var dw: Tensor? = nil
        if weight.requiresGrad {   // dW = Σ_b g_b · tokens_b
            let t = Tensor.uninitialized(weight.shape), gp = g.storage.pointer
            for b in 0..<batch {
                BLAS.gemm(m: cout, n: cin, k: plane, a: gp + b * cout * plane, b: tp + b * plane * cin,
                          beta: b == 0 ? 0 : 1, c: t.storage.pointer)
            }
            dw = t
        }
        var grads: [Tensor?] = [dt, dw]
        if let bias { grads.append(bias.requiresGrad ? g.summed(toShape: [1, cout, 1, 1]).reshaped([cout]) : nil) }
        if residual != nil { grads.append(g) }
        return grads
    }
}
