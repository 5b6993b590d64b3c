import SceneGraphs

extension GraphBatch {
    /// The encoder's input for batched scene graphs.
    public init(_ batch: SceneGraphBatch) {
        self.init(objects: batch.objects, triples: batch.triples, objectToImage: batch.objectToImage,
                  tripleToImage: batch.tripleToImage, imageCount: batch.imageCount)
    }
}
