import Tensors

/// Symmetric InfoNCE between graph and image vectors (CLIP's loss), with optional hard negatives.
///
/// graphs, images [B, G] (pair i is graph i with image i); `logitScale` [1] is log of the
/// temperature's inverse; `hardNegatives` [S, G] are extra graphs that match no image (e.g. a
/// graph with one predicate flipped): they join every image's candidates, so an image must score
/// its own graph above its almost-identical flipped copy. `hardNegativeImages` [S', G] are the
/// same for the other direction (e.g. mirrored images): they join every graph's candidates.
public func contrastiveLoss(graphs: Tensor, images: Tensor, logitScale: Tensor, hardNegatives: Tensor? = nil,
                            hardNegativeImages: Tensor? = nil) -> Tensor {
    require(graphs.shape == images.shape && graphs.rank == 2, "contrastiveLoss: graphs \(graphs.shape), images \(images.shape)")
    let b = graphs.shape[0]
    let g = l2Normalize(graphs), v = l2Normalize(images), scale = exponential(logitScale)
    let labels = Array(0..<b)
    let imageCandidates = hardNegativeImages.map { concat([v, l2Normalize($0)], axis: 0) } ?? v
    let graphToImage = crossEntropy(logits: matmul(g, imageCandidates, transposeB: true) * scale, labels: labels)
    let candidates = hardNegatives.map { concat([g, l2Normalize($0)], axis: 0) } ?? g
    let imageToGraph = crossEntropy(logits: matmul(v, candidates, transposeB: true) * scale, labels: labels)
    return (graphToImage + imageToGraph) * 0.5
}
