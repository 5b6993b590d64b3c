/// NumPy-style broadcasting, reduced to as few loop dimensions as possible: adjacent dimensions
/// that every operand walks contiguously (or not at all) are merged, so `[B,C,H,W] + [1,C,1,1]`
/// becomes a `[B, C, H·W]` loop whose inner run has 1024 elements.
struct BroadcastLoop {
    /// Merged loop extents; the last one is the inner run.
    let extents: [Int]
    /// Per operand, its stride along each merged extent (0 where it is broadcast).
    let strides: [[Int]]

    /// Loops over `shape`; `operandShapes` are right-aligned against it and must broadcast to it.
    init(shape: [Int], operandShapes: [[Int]]) {
        let rank = shape.count
        var perOperand: [[Int]] = operandShapes.map { s in
            require(s.count <= rank, "cannot broadcast \(s) to \(shape)")
            let padded = Array(repeating: 1, count: rank - s.count) + s
            var strides = Array(repeating: 0, count: rank)
            var running = 1
            for d in stride(from: rank - 1, through: 0, by: -1) {
                require(padded[d] == shape[d] || padded[d] == 1, "cannot broadcast \(s) to \(shape)")
                strides[d] = padded[d] == 1 ? 0 : running
                running *= padded[d]
            }
            return strides
        }
        // Drop size-1 dimensions, then merge neighbours that stay affine for every operand.
        var ext: [Int] = []
        var str: [[Int]] = Array(repeating: [], count: perOperand.count)
        for d in 0..<rank where shape[d] != 1 {
            if let last = ext.last, perOperand.indices.allSatisfy({ str[$0].last! == perOperand[$0][d] * shape[d] }) {
                ext[ext.count - 1] = last * shape[d]
                for o in perOperand.indices { str[o][str[o].count - 1] = perOperand[o][d] }
            } else {
                ext.append(shape[d])
                for o in perOperand.indices { str[o].append(perOperand[o][d]) }
            }
        }
        if ext.isEmpty { ext = [1]; str = str.map { _ in [0] } }
        perOperand = str
        extents = ext
        strides = perOperand
    }

    var innerCount: Int { extents.last! }
    var outerCount: Int { extents.dropLast().reduce(1, *) }

    /// Element offsets of every operand at the start of inner run number `row`.
    @inline(__always)
    func offsets(ofRow row: Int, into result: inout [Int]) {
        for o in result.indices { result[o] = 0 }
        var r = row
        for d in stride(from: extents.count - 2, through: 0, by: -1) {
            let i = r % extents[d]
            r /= extents[d]
            for o in result.indices { result[o] += i * strides[o][d] }
        }
    }
}

/// The shape two operands broadcast to.
public func broadcastShape(_ a: [Int], _ b: [Int]) -> [Int] {
    let rank = max(a.count, b.count)
    let pa = Array(repeating: 1, count: rank - a.count) + a
    let pb = Array(repeating: 1, count: rank - b.count) + b
    return (0..<rank).map { d in
        require(pa[d] == pb[d] || pa[d] == 1 || pb[d] == 1, "shapes \(a) and \(b) do not broadcast")
        return max(pa[d], pb[d])
    }
}

extension Tensor {
    /// Sums this tensor down to `target`, a shape it was broadcast from (the pullback of broadcasting).
    public func summed(toShape target: [Int]) -> Tensor {
        if target == shape { return self }
        let out = Tensor.zeros(target)
        let loop = BroadcastLoop(shape: shape, operandShapes: [shape, target])
        let n = loop.innerCount, sIn = loop.strides[0].last!, sOut = loop.strides[1].last!
        let src = storage.pointer, dst = out.storage.pointer
        var offs = [0, 0]
        for row in 0..<loop.outerCount {
            loop.offsets(ofRow: row, into: &offs)
            let a = src + offs[0], o = dst + offs[1]
            // Contiguous rows (bias and embedding gradients) take the SIMD16 kernels: the
            // general strided loops below are scalar, with a checked multiply per element.
            if sIn == 1 && sOut == 0 {
                o[0] += contiguousSum(a, n)
            } else if sIn == 1 && sOut == 1 {
                accumulateRow(a, o, n)
            } else if sOut == 0 {
                var acc: Float = 0
                for i in 0..<n { acc += a[i * sIn] }
                o[0] += acc
            } else {
                for i in 0..<n { o[i * sOut] += a[i * sIn] }
            }
        }
        return out
    }
}

/// Σ a[0..<n], sixteen lanes at a time.
@inline(never)
func contiguousSum(_ a: UnsafePointer<Float>, _ n: Int) -> Float {
    var lanes = FloatVector(), i = 0
    while i + 16 <= n { lanes += loadVector(a, i); i += 16 }
    if i < n { lanes += loadPartialVector(a, i, count: n - i, padding: 0) }
    return horizontalSum(lanes)
}

/// o[i] += a[i] for i < n, sixteen lanes at a time.
@inline(never)
func accumulateRow(_ a: UnsafePointer<Float>, _ o: UnsafeMutablePointer<Float>, _ n: Int) {
    struct Add: LaneFunction2 { @inline(__always) func callAsFunction(_ o: FloatVector, _ a: FloatVector) -> FloatVector { o + a } }
    vectorMap(UnsafePointer(o), a, o, 0..<n, Add())
}
