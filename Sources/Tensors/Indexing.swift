// Row gather and scatter along axis 0: the graph convolution's `obj[s]` and `index_add(0, s, …)`,
// and embedding lookup. Index lists are validated up front; the kernels then trust them.

/// Rows of `x` ([N, *]) picked by `indices`: out[i] = x[indices[i]], shape [indices.count, *].
public func indexSelect(_ x: Tensor, _ indices: [Int]) -> Tensor {
    let n = x.shape[0], row = x.count / max(n, 1)
    require(indices.allSatisfy { $0 >= 0 && $0 < n }, "indexSelect: index out of range 0..<\(n)")
    let out = Tensor.uninitialized([indices.count] + x.shape.dropFirst())
    let src = x.storage.pointer, dst = out.storage.pointer
    for (i, j) in indices.enumerated() { (dst + i * row).update(from: src + j * row, count: row) }
    let shape = x.shape
    return out.recording([x]) { g in [scatterRows(into: Tensor.zeros(shape), indices, g)] }
}

/// base with source rows added at `indices`: out = base; out[indices[i]] += source[i] (torch index_add along 0).
public func indexAdd(_ base: Tensor, _ indices: [Int], _ source: Tensor) -> Tensor {
    require(source.shape[0] == indices.count && Array(source.shape.dropFirst()) == Array(base.shape.dropFirst()),
                 "indexAdd: base \(base.shape), \(indices.count) indices, source \(source.shape)")
    require(indices.allSatisfy { $0 >= 0 && $0 < base.shape[0] }, "indexAdd: index out of range 0..<\(base.shape[0])")
    let out = scatterRows(into: base.copy(), indices, source)
    return out.recording([base, source]) { g in [g, source.requiresGrad ? indexSelect(g, indices) : nil] }
}

/// Embedding lookup: weight [V, D], ids in 0..<V → [ids.count, D].
public func embedding(_ weight: Tensor, _ ids: [Int]) -> Tensor {
    require(weight.rank == 2, "embedding weight must be [V, D], got \(weight.shape)")
    return indexSelect(weight, ids)
}

/// Adds source rows into `target` at `indices`, in place; returns `target`.
@discardableResult
func scatterRows(into target: Tensor, _ indices: [Int], _ source: Tensor) -> Tensor {
    let row = source.count / max(indices.count, 1)
    let dst = target.storage.pointer, src = source.storage.pointer
    for (i, j) in indices.enumerated() {
        let o = dst + j * row, a = src + i * row
        for c in 0..<row { o[c] += a[c] }
    }
    return target
}
