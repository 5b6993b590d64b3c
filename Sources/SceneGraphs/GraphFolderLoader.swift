import Foundation

/// A folder of one's own: a JSONL file of sg2im graphs, each naming its `image` (relative to the
/// image folder) with optional `boxes`. Relations are taken as written; the vocabulary is every
/// object and predicate name used, sorted.
public struct GraphFolderLoader: Sendable {
    public var objectsPerImage: ClosedRange<Int>

    public init(objectsPerImage: ClosedRange<Int> = 1...8) { self.objectsPerImage = objectsPerImage }

    /// Reads `graphs` (JSONL). A malformed line is an error naming the file and line; a graph
    /// without an image, with a box outside 0…1 or with an object count outside the range is
    /// skipped and listed. Image ids are line numbers.
    public func loadReporting(graphs url: URL) throws -> LoadedDataset {
        var examples: [DatasetExample] = [], skipped: [SkippedImage] = []
        var objectNames = Set<String>(), predicateNames = Set<String>()
        let name = url.lastPathComponent
        for (line, graph) in try readGraphLines(url) {
            guard let image = graph.image, !image.isEmpty else {
                skipped.append(SkippedImage(image: "\(name):\(line)", reason: "\(name):\(line): image: missing")); continue
            }
            if let boxes = graph.boxes, let k = boxes.firstIndex(where: { b in
                !(b.x0 >= 0 && b.y0 >= 0 && b.x1 <= 1 && b.y1 <= 1 && b.x0 < b.x1 && b.y0 < b.y1)
            }) {
                let b = boxes[k]
                skipped.append(SkippedImage(image: image, reason: "\(name):\(line): boxes[\(k)] [\([b.x0, b.y0, b.x1, b.y1].map(compact).joined(separator: ", "))] lies outside the image (0…1)"))
                continue
            }
            if let problem = objectCountProblem(graph.objects.count, objectsPerImage, after: "") {
                skipped.append(SkippedImage(image: image, reason: "\(name):\(line): " + problem)); continue
            }
            objectNames.formUnion(graph.objects)
            predicateNames.formUnion(graph.relationships.map(\.predicate))
            examples.append(DatasetExample(graph: graph, imageWidth: 0, imageHeight: 0, imageID: line))
        }
        let vocabulary = try Vocabulary(objects: [Vocabulary.imageObject] + objectNames.subtracting([Vocabulary.imageObject]).sorted(),
                                        predicates: [Vocabulary.inImagePredicate] + predicateNames.subtracting([Vocabulary.inImagePredicate]).sorted())
        // Indices out of range, self-relations, duplicate triples, reserved names: the graph is skipped.
        let validator = SceneGraphValidator(vocabulary: vocabulary, maxObjects: objectsPerImage.upperBound)
        var valid: [DatasetExample] = []
        for example in examples {
            do { try validator.validate(example.graph, source: name) } catch let e as SceneGraphError {
                var located = e
                located.line = example.imageID
                skipped.append(SkippedImage(image: example.graph.image ?? "", reason: located.description)); continue
            }
            valid.append(example)
        }
        return LoadedDataset(examples: valid, vocabulary: vocabulary, skipped: skipped)
    }
}
