import GraphEncoder

/// The PyTorch benchmark's deterministic graphs (docs/engine.md): image b has
/// 2 + b % 3 objects in a chain plus `__image__`, with `__in_image__` triples from every object.
/// Object ids are taken modulo `objectClasses`, as the PyTorch benchmark does.
func exampleGraphs(_ batch: Int, objectClasses: Int = 19) -> GraphBatch {
    var objs: [Int] = [], triples: [Int] = [], o2i: [Int] = [], t2i: [Int] = []
    for b in 0..<batch {
        let n = 2 + b % 3, base = objs.count
        for k in 0..<n { objs.append((1 + (5 * b + 3 * k) % 24) % objectClasses); o2i.append(b) }
        objs.append(0); o2i.append(b)
        for k in 0..<(n - 1) { triples += [base + k, 1 + (b + k) % 6, base + k + 1]; t2i.append(b) }
        for k in 0..<n { triples += [base + k, 0, base + n]; t2i.append(b) }
    }
    return GraphBatch(objects: objs, triples: triples, objectToImage: o2i, tripleToImage: t2i, imageCount: batch)
}
