/// Predicates that have an opposite, and the opposite: a graph with one of them flipped describes
/// the same objects in a different scene — the hard negative of relation-swap pretraining.
public let oppositePredicates: [String: String] = [
    "left of": "right of", "right of": "left of", "above": "below", "below": "above", "inside": "surrounding", "surrounding": "inside",
]

extension SceneGraph {
    /// Indices of relationships whose predicate has an opposite.
    public var flippableRelationships: [Int] {
        relationships.indices.filter { oppositePredicates[relationships[$0].predicate] != nil }
    }

    /// This graph with relationship `index`'s predicate replaced by its opposite.
    public func flippingPredicate(at index: Int) -> SceneGraph {
        var g = self
        if let opposite = oppositePredicates[relationships[index].predicate] { g.relationships[index].predicate = opposite }
        return g
    }
}

extension SceneGraph {
    /// Whether a relationship is "left of" or "right of": the graph is false for its image mirrored
    /// left to right (the mirror-image hard negative of pretraining).
    public var hasHorizontalRelation: Bool {
        relationships.contains { $0.predicate == "left of" || $0.predicate == "right of" }
    }

    /// The graph of this graph's image mirrored left to right: "left of" and "right of" swapped.
    public var mirrored: SceneGraph {
        var g = self
        for i in g.relationships.indices {
            switch g.relationships[i].predicate {
            case "left of": g.relationships[i].predicate = "right of"
            case "right of": g.relationships[i].predicate = "left of"
            default: break
            }
        }
        return g
    }
}
