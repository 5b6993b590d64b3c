/// Checks a graph against a model's vocabulary and limits before it reaches the model.
public struct SceneGraphValidator: Sendable {
    public var vocabulary: Vocabulary
    /// Most objects a graph may have (the model's capacity).
    public var maxObjects: Int
    /// Most triples (relationships plus one `__in_image__` per object) the model encodes; more
    /// would be dropped silently, so they are refused.
    public var maxTriples: Int?

    public init(vocabulary: Vocabulary, maxObjects: Int, maxTriples: Int? = nil) {
        self.vocabulary = vocabulary
        self.maxObjects = maxObjects
        self.maxTriples = maxTriples
    }

    /// Throws the first problem of `graph`, located by `source`, graph index and field.
    public func validate(_ graph: SceneGraph, source: String, index: Int? = nil) throws {
        func fail(_ field: String?, _ message: String) -> SceneGraphError {
            SceneGraphError(file: source, graph: index, field: field, message: message)
        }
        guard !graph.objects.isEmpty else { throw fail("objects", "the graph is empty (no objects)") }
        guard graph.objects.count <= maxObjects else {
            throw fail("objects", "\(graph.objects.count) objects, but the model takes at most \(maxObjects)")
        }
        for (i, name) in graph.objects.enumerated() where vocabulary.objectID(name) == nil || name == Vocabulary.imageObject {
            throw fail("objects[\(i)]", "unknown object \"\(name)\"; nearest: \(vocabulary.nearestObjects(to: name).map { "\"\($0)\"" }.joined(separator: ", "))")
        }
        var seen = Set<Relationship>()
        for (i, r) in graph.relationships.enumerated() {
            for (slot, value) in [(0, r.subject), (2, r.object)] where value < 0 || value >= graph.objects.count {
                throw fail("relationships[\(i)][\(slot)]", "index \(value) out of range (the graph has objects 0…\(graph.objects.count - 1))")
            }
            if vocabulary.predicateID(r.predicate) == nil || r.predicate == Vocabulary.inImagePredicate {
                throw fail("relationships[\(i)][1]", "unknown predicate \"\(r.predicate)\"; nearest: \(vocabulary.nearestPredicates(to: r.predicate).map { "\"\($0)\"" }.joined(separator: ", "))")
            }
            guard r.subject != r.object else { throw fail("relationships[\(i)]", "object \(r.subject) is related to itself") }
            guard seen.insert(r).inserted else { throw fail("relationships[\(i)]", "duplicate of an earlier relationship") }
        }
        if let maxTriples, graph.objects.count + graph.relationships.count > maxTriples {
            throw fail("relationships", "\(graph.relationships.count) relationships + \(graph.objects.count) objects make \(graph.objects.count + graph.relationships.count) triples, but the model takes at most \(maxTriples) (model.max_triples)")
        }
        if let boxes = graph.boxes, boxes.count != graph.objects.count {
            throw fail("boxes", "\(boxes.count) boxes for \(graph.objects.count) objects")
        }
    }

    /// Validates a whole document; a sequence's frames must also share the same objects.
    public func validate(_ document: SceneGraphDocument, source: String) throws {
        let graphs = document.graphs
        for (i, g) in graphs.enumerated() { try validate(g, source: source, index: graphs.count > 1 ? i : nil) }
        if case .sequence(let s) = document, let first = s.frames.first {
            for (i, frame) in s.frames.enumerated() where frame.objects != first.objects {
                throw SceneGraphError(file: source, graph: i, field: "frames[\(i)].objects",
                                      message: "frame objects differ from frame 0 (every frame must list the same objects in the same order)")
            }
        }
    }
}
