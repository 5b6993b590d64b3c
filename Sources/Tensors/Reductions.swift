// Sums and means over axes. The pullback broadcasts the gradient back over the reduced axes.

extension Tensor {
    /// Sum over `axes` (negative axes count from the end); all axes when empty.
    public func sum(axes: [Int] = [], keepDims: Bool = false) -> Tensor {
        let reduced = Set((axes.isEmpty ? Array(0..<rank) : axes).map { $0 < 0 ? $0 + rank : $0 })
        require(reduced.allSatisfy { $0 >= 0 && $0 < rank }, "sum: axes \(axes) out of range for \(shape)")
        let kept = shape.enumerated().map { reduced.contains($0.offset) ? 1 : $0.element }
        let out = kept == shape ? copy() : summed(toShape: kept)
        let input = self
        out.recording([self]) { g in [g.broadcasted(to: input.shape)] }
        if keepDims { return out }
        return out.reshaped(shape.enumerated().filter { !reduced.contains($0.offset) }.map(\.element))
    }

    /// Mean over `axes`; all axes when empty.
    public func mean(axes: [Int] = [], keepDims: Bool = false) -> Tensor {
        let reduced = axes.isEmpty ? Array(0..<rank) : axes.map { $0 < 0 ? $0 + rank : $0 }
        let n = reduced.reduce(1) { $0 * shape[$1] }
        return scale(sum(axes: axes, keepDims: keepDims), 1 / Float(max(n, 1)))
    }

    /// Copies this tensor along broadcast dimensions to `target`.
    public func broadcasted(to target: [Int]) -> Tensor {
        if target == shape { return self }
        let out = Tensor.uninitialized(target)
        let loop = BroadcastLoop(shape: target, operandShapes: [shape, target])
        let n = loop.innerCount, sIn = loop.strides[0].last!
        let src = storage.pointer, dst = out.storage.pointer
        var offs = [0, 0]
        for row in 0..<loop.outerCount {
            loop.offsets(ofRow: row, into: &offs)
            let a = src + offs[0], o = dst + offs[1]
            if sIn == 0 { o.update(repeating: a[0], count: n) } else { for i in 0..<n { o[i] = a[i * sIn] } }
        }
        let input = self
        return out.recording([self]) { g in [g.summed(toShape: input.shape)] }
    }
}
