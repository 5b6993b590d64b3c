import SceneGraphs

extension GraphBatch {
    /// The encoder's input for batched scene graphs.
    public init(_ batch: SceneGraphBatch) {
        self.init(objects: batch.objects, triples: batch.triples, objectToImage: batch.objectToImage,
                  tripleToImage: batch.tripleToImage, imageCount: batch.imageCount)
    }

    /// The encoder's input for validated graphs, by the vocabulary's ids.
    public init(_ graphs: [SceneGraph], vocabulary: Vocabulary) throws {
        self.init(try SceneGraphBatch(graphs, vocabulary: vocabulary))
    }
}

extension GraphBatch {
    /// The same objects with their relationships removed (only the `__in_image__` triples, predicate
    /// 0, kept): the negative of relation guidance, "these objects, related anyhow".
    public var objectsOnly: GraphBatch {
        var kept: [Int] = [], keptImages: [Int] = []
        for t in 0..<(triples.count / 3) where triples[3 * t + 1] == 0 {
            kept += triples[(3 * t)..<(3 * t + 3)]
            keptImages.append(tripleToImage[t])
        }
        return GraphBatch(objects: objects, triples: kept, objectToImage: objectToImage, tripleToImage: keptImages, imageCount: imageCount)
    }
}
