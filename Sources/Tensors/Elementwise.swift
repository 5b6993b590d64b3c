// Elementwise arithmetic with broadcasting: out = a ∘ b. Shapes broadcast right-aligned as in
// NumPy; pullbacks sum the gradient back down to each operand's shape.

enum BinaryOp { case add, sub, mul, div }

/// out[i] = a[i] ∘ b[i] over a broadcast loop, parallel over inner runs.
func binaryKernel(_ op: BinaryOp, _ a: Tensor, _ b: Tensor) -> Tensor {
    let shape = a.shape == b.shape ? a.shape : broadcastShape(a.shape, b.shape)
    let out = Tensor.uninitialized(shape)
    let loop = BroadcastLoop(shape: shape, operandShapes: [a.shape, b.shape, shape])
    let n = loop.innerCount, sa = loop.strides[0].last!, sb = loop.strides[1].last!
    let pa = a.storage.pointer, pb = b.storage.pointer, po = out.storage.pointer
    parallelChunks(loop.outerCount, minimumPerThread: max(1, 32_768 / max(n, 1))) { rows in
        var offs = [0, 0, 0]
        for row in rows {
            loop.offsets(ofRow: row, into: &offs)
            let x = pa + offs[0], y = pb + offs[1], o = po + offs[2]
            switch (op, sa, sb) {
            case (.add, 1, 1): for i in 0..<n { o[i] = x[i] + y[i] }
            case (.add, 1, 0): let c = y[0]; for i in 0..<n { o[i] = x[i] + c }
            case (.add, _, _): for i in 0..<n { o[i] = x[i * sa] + y[i * sb] }
            case (.sub, 1, 1): for i in 0..<n { o[i] = x[i] - y[i] }
            case (.sub, _, _): for i in 0..<n { o[i] = x[i * sa] - y[i * sb] }
            case (.mul, 1, 1): for i in 0..<n { o[i] = x[i] * y[i] }
            case (.mul, 1, 0): let c = y[0]; for i in 0..<n { o[i] = x[i] * c }
            case (.mul, _, _): for i in 0..<n { o[i] = x[i * sa] * y[i * sb] }
            case (.div, 1, 1): for i in 0..<n { o[i] = x[i] / y[i] }
            case (.div, _, _): for i in 0..<n { o[i] = x[i * sa] / y[i * sb] }
            }
        }
    }
    return out
}

/// a + b with broadcasting.
public func add(_ a: Tensor, _ b: Tensor) -> Tensor {
    binaryKernel(.add, a, b).recording([a, b]) { g in
        [a.requiresGrad ? g.summed(toShape: a.shape) : nil, b.requiresGrad ? g.summed(toShape: b.shape) : nil]
    }
}

/// a − b with broadcasting.
public func sub(_ a: Tensor, _ b: Tensor) -> Tensor {
    binaryKernel(.sub, a, b).recording([a, b]) { g in
        [a.requiresGrad ? g.summed(toShape: a.shape) : nil, b.requiresGrad ? scale(g, -1).summed(toShape: b.shape) : nil]
    }
}

/// a · b elementwise with broadcasting.
public func mul(_ a: Tensor, _ b: Tensor) -> Tensor {
    binaryKernel(.mul, a, b).recording([a, b]) { g in
        [a.requiresGrad ? binaryKernel(.mul, g, b).summed(toShape: a.shape) : nil,
         b.requiresGrad ? binaryKernel(.mul, g, a).summed(toShape: b.shape) : nil]
    }
}

/// a / b elementwise with broadcasting.
public func div(_ a: Tensor, _ b: Tensor) -> Tensor {
    let out = binaryKernel(.div, a, b)
    return out.recording([a, b]) { g in
        let ga = binaryKernel(.div, g, b)
        // d(a/b)/db = −(a/b)/b, so gb = −ga · out.
        return [a.requiresGrad ? ga.summed(toShape: a.shape) : nil,
                b.requiresGrad ? scale(binaryKernel(.mul, ga, out), -1).summed(toShape: b.shape) : nil]
    }
}

/// x · s for a constant s.
public func scale(_ x: Tensor, _ s: Float) -> Tensor {
    affine(x, scale: s, shift: 0)
}

/// x · scale + shift for constants.
public func affine(_ x: Tensor, scale s: Float, shift c: Float) -> Tensor {
    let out = Tensor.uninitialized(x.shape)
    let src = x.storage.pointer, dst = out.storage.pointer, n = x.count
    parallelChunks(n, minimumPerThread: 65_536) { r in for i in r { dst[i] = src[i] * s + c } }
    return out.recording([x]) { g in [scale(g, s)] }
}

public func + (a: Tensor, b: Tensor) -> Tensor { add(a, b) }
public func - (a: Tensor, b: Tensor) -> Tensor { sub(a, b) }
public func * (a: Tensor, b: Tensor) -> Tensor { mul(a, b) }
public func / (a: Tensor, b: Tensor) -> Tensor { div(a, b) }
public func * (a: Tensor, s: Float) -> Tensor { scale(a, s) }
public func * (s: Float, a: Tensor) -> Tensor { scale(a, s) }
public func + (a: Tensor, c: Float) -> Tensor { affine(a, scale: 1, shift: c) }
public func - (a: Tensor, c: Float) -> Tensor { affine(a, scale: 1, shift: -c) }
public prefix func - (a: Tensor) -> Tensor { scale(a, -1) }
