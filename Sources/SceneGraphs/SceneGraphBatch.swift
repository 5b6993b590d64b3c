/// Several graphs as the model's index arrays, laid out as the reference expects: per image its
/// objects then one `__image__` object; triples with the real relationships first, then one
/// `[object, __in_image__, image]` per object; images contiguous and in order.
public struct SceneGraphBatch: Sendable, Equatable {
    public var objects: [Int]
    /// Flattened [T·3]: subject index into `objects`, predicate id, object index into `objects`.
    public var triples: [Int]
    public var objectToImage: [Int]
    public var tripleToImage: [Int]
    public var imageCount: Int

    /// Batches validated graphs (names must be in the vocabulary).
    public init(_ graphs: [SceneGraph], vocabulary: Vocabulary) throws {
        objects = []; triples = []; objectToImage = []; tripleToImage = []; imageCount = graphs.count
        for (b, g) in graphs.enumerated() {
            let base = objects.count
            for (i, name) in g.objects.enumerated() {
                guard let id = vocabulary.objectID(name) else {
                    throw SceneGraphError(file: "batch", graph: b, field: "objects[\(i)]", message: "unknown object \"\(name)\"")
                }
                objects.append(id); objectToImage.append(b)
            }
            let image = objects.count
            objects.append(0); objectToImage.append(b)
            for (i, r) in g.relationships.enumerated() {
                guard let p = vocabulary.predicateID(r.predicate) else {
                    throw SceneGraphError(file: "batch", graph: b, field: "relationships[\(i)][1]", message: "unknown predicate \"\(r.predicate)\"")
                }
                triples += [base + r.subject, p, base + r.object]; tripleToImage.append(b)
            }
            for i in 0..<g.objects.count { triples += [base + i, 0, image]; tripleToImage.append(b) }
        }
    }
}
