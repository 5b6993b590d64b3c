// Reshape (a view: storage is shared, values are never mutated by ops), permute (materialising),
// concat / split / chunk / slice along an axis.

extension Tensor {
    /// The same values with another shape; one dimension may be -1.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        var target = newShape
        if let i = target.firstIndex(of: -1) {
            let known = target.enumerated().filter { $0.offset != i }.reduce(1) { $0 * $1.element }
            require(known > 0 && count % known == 0, "reshape \(shape) to \(newShape)")
            target[i] = count / known
        }
        require(target.reduce(1, *) == count, "reshape \(shape) (\(count) elements) to \(newShape)")
        if target == shape { return self }
        let out = Tensor(shape: target, storage: storage)
        let original = shape
        return out.recording([self]) { g in [g.reshaped(original)] }
    }

    /// Dimensions reordered: output dimension i is input dimension `order[i]`.
    public func permuted(_ order: [Int]) -> Tensor {
        require(order.sorted() == Array(0..<rank), "permute \(shape) by \(order)")
        if order == Array(0..<rank) { return self }
        let outShape = order.map { shape[$0] }
        let out = Tensor.uninitialized(outShape)
        var inStrides = Array(repeating: 1, count: rank)
        for d in stride(from: rank - 2, through: 0, by: -1) { inStrides[d] = inStrides[d + 1] * shape[d + 1] }
        let strides = order.map { inStrides[$0] }          // input stride along each output dimension
        let inner = outShape.last!, innerStride = strides.last!
        let rows = count / max(inner, 1)
        let src = storage.pointer, dst = out.storage.pointer
        parallelChunks(rows, minimumPerThread: max(1, 65_536 / max(inner, 1))) { range in
            for row in range {
                var r = row, offset = 0
                for d in stride(from: outShape.count - 2, through: 0, by: -1) {
                    offset += (r % outShape[d]) * strides[d]
                    r /= outShape[d]
                }
                let o = dst + row * inner, a = src + offset
                for i in 0..<inner { o[i] = a[i * innerStride] }
            }
        }
        var inverse = Array(repeating: 0, count: rank)
        for (i, d) in order.enumerated() { inverse[d] = i }
        return out.recording([self]) { g in [g.permuted(inverse)] }
    }

    /// Swaps two dimensions (materialising).
    public func transposed(_ a: Int, _ b: Int) -> Tensor {
        var order = Array(0..<rank)
        order.swapAt(a < 0 ? a + rank : a, b < 0 ? b + rank : b)
        return permuted(order)
    }

    /// Elements `range` along `axis`.
    public func slice(axis: Int, _ range: Range<Int>) -> Tensor {
        let ax = axis < 0 ? axis + rank : axis
        require(range.lowerBound >= 0 && range.upperBound <= shape[ax], "slice \(range) of axis \(ax) in \(shape)")
        var outShape = shape
        outShape[ax] = range.count
        let outer = shape[..<ax].reduce(1, *), inner = shape[(ax + 1)...].reduce(1, *)
        let out = Tensor.uninitialized(outShape)
        copyBlocks(outer: outer, src: storage.pointer, srcRow: shape[ax] * inner, srcOffset: range.lowerBound * inner,
                   dst: out.storage.pointer, dstRow: range.count * inner, dstOffset: 0, length: range.count * inner)
        let inputShape = shape
        return out.recording([self]) { g in
            let full = Tensor.zeros(inputShape)
            copyBlocks(outer: outer, src: g.storage.pointer, srcRow: range.count * inner, srcOffset: 0,
                       dst: full.storage.pointer, dstRow: inputShape[ax] * inner, dstOffset: range.lowerBound * inner,
                       length: range.count * inner)
            return [full]
        }
    }

    /// Consecutive pieces of the given sizes along `axis`.
    public func split(_ sizes: [Int], axis: Int) -> [Tensor] {
        let ax = axis < 0 ? axis + rank : axis
        require(sizes.reduce(0, +) == shape[ax], "split sizes \(sizes) for axis \(ax) of \(shape)")
        var start = 0
        return sizes.map { size in
            defer { start += size }
            return slice(axis: ax, start..<(start + size))
        }
    }

    /// `n` equal pieces along `axis`.
    public func chunk(_ n: Int, axis: Int) -> [Tensor] {
        let ax = axis < 0 ? axis + rank : axis
        require(n > 0 && shape[ax] % n == 0, "chunk \(shape) axis \(ax) into \(n)")
        return split(Array(repeating: shape[ax] / n, count: n), axis: ax)
    }
}

/// The tensors joined along `axis`; all other dimensions must agree.
public func concat(_ tensors: [Tensor], axis: Int) -> Tensor {
    require(!tensors.isEmpty, "concat of no tensors")
    let rank = tensors[0].rank, ax = axis < 0 ? axis + rank : axis
    for t in tensors {
        require(t.rank == rank && t.shape.enumerated().allSatisfy { $0.offset == ax || $0.element == tensors[0].shape[$0.offset] },
                     "concat along \(ax): shapes \(tensors.map(\.shape))")
    }
    var outShape = tensors[0].shape
    outShape[ax] = tensors.reduce(0) { $0 + $1.shape[ax] }
    let outer = outShape[..<ax].reduce(1, *), inner = outShape[(ax + 1)...].reduce(1, *)
    let out = Tensor.uninitialized(outShape)
    var offset = 0
    var offsets: [Int] = []
    for t in tensors {
        offsets.append(offset)
        copyBlocks(outer: outer, src: t.storage.pointer, srcRow: t.shape[ax] * inner, srcOffset: 0,
                   dst: out.storage.pointer, dstRow: outShape[ax] * inner, dstOffset: offset * inner, length: t.shape[ax] * inner)
        offset += t.shape[ax]
    }
    return out.recording(tensors) { g in
        zip(tensors, offsets).map { t, start -> Tensor? in
            guard t.requiresGrad else { return nil }
            let piece = Tensor.uninitialized(t.shape)
            copyBlocks(outer: outer, src: g.storage.pointer, srcRow: outShape[ax] * inner, srcOffset: start * inner,
                       dst: piece.storage.pointer, dstRow: t.shape[ax] * inner, dstOffset: 0, length: t.shape[ax] * inner)
            return piece
        }
    }
}

/// For each of `outer` rows, copies `length` floats from src[row·srcRow + srcOffset] to dst[row·dstRow + dstOffset].
func copyBlocks(outer: Int, src: UnsafePointer<Float>, srcRow: Int, srcOffset: Int,
                dst: UnsafeMutablePointer<Float>, dstRow: Int, dstOffset: Int, length: Int) {
    if length == 0 { return }
    parallelChunks(outer, minimumPerThread: max(1, 65_536 / length)) { rows in
        for r in rows { (dst + r * dstRow + dstOffset).update(from: src + r * srcRow + srcOffset, count: length) }
    }
}
