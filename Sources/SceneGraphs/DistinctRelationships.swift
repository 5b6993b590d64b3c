/// Visual Genome and sg2im's COCO graphs repeat relationships (the same subject, predicate and
/// object twice). A repeat says nothing new, so readers keep each relationship once, drop the
/// rest and say so once (`DuplicateRelationships.notice`), instead of refusing the whole file; the
/// checker's figures then count each relationship once.
extension SceneGraph {
    /// The graph with each relationship once (the first of every repeat kept, order unchanged),
    /// and how many were dropped.
    public var distinct: (graph: SceneGraph, dropped: Int) {
        var seen = Set<Relationship>(), kept: [Relationship] = []
        for r in relationships where seen.insert(r).inserted { kept.append(r) }
        guard kept.count < relationships.count else { return (self, 0) }
        var g = self
        g.relationships = kept
        return (g, relationships.count - kept.count)
    }
}

/// Duplicates dropped while reading one input, for the one notice a command prints about them.
public struct DuplicateRelationships: Sendable, Equatable {
    public private(set) var dropped = 0
    /// Where the first one was (file, and line or graph).
    public private(set) var first: String?

    public init() {}

    /// Keeps each relationship of `graph` once, counting what was dropped at `location`.
    public mutating func distinct(_ graph: SceneGraph, at location: @autoclosure () -> String) -> SceneGraph {
        let (g, n) = graph.distinct
        if n > 0 {
            dropped += n
            if first == nil { first = location() }
        }
        return g
    }

    /// One line for stderr, or nil when nothing was dropped.
    public var notice: String? {
        guard dropped > 0 else { return nil }
        return "\(dropped) duplicate relationship\(dropped == 1 ? "" : "s") dropped (the first in \(first ?? "?")); each relationship is drawn and scored once"
    }
}

extension Collection where Element == SceneGraph {
    /// Whether some frame's set of relationships differs from the first frame's: a clip whose
    /// layout must change, which a still image cannot show.
    public var relationsChange: Bool {
        guard let first = self.first.map({ Set($0.relationships) }) else { return false }
        return dropFirst().contains { Set($0.relationships) != first }
    }
}
