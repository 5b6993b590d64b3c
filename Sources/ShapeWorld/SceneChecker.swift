import SceneGraphs

/// How well one image shows its graph.
public struct ImageCheck: Sendable, Equatable {
    public var objects: Int
    public var objectsFound: Int
    public var relations: Int
    /// Relations whose two objects were found and whose detected boxes give the same predicate.
    public var relationsHeld: Int
    /// Relations whose two objects were both found: the pairs whose layout can be judged at all.
    public var relationsOfFoundPairs = 0
    /// Detections the graph did not ask for.
    public var extraObjects: Int
    /// Missed objects drawn in their colour but another shape (an unclaimed detection of that colour stands for each).
    public var missedWrongShape = 0
    /// Missed objects drawn in their shape but another colour (counted after the wrong shapes).
    public var missedWrongColour = 0
    /// Whether each relationship held, in the graph's order (for per-predicate figures).
    public var relationHeld: [Bool] = []
    public var allHold: Bool { objectsFound == objects && relationsHeld == relations }
    /// Missed objects with no unclaimed detection of their colour or their shape: not drawn at all, or merged away.
    public var missedAbsent: Int { objects - objectsFound - missedWrongShape - missedWrongColour }
}

/// Totals over many images: the quality measure of the whole system.
public struct CheckMetrics: Sendable, Equatable {
    public var images = 0
    public var objects = 0, objectsFound = 0, relations = 0, relationsHeld = 0, graphsHeld = 0, extraObjects = 0
    public var relationsOfFoundPairs = 0
    public var missedWrongShape = 0, missedWrongColour = 0
    public var missedAbsent: Int { objects - objectsFound - missedWrongShape - missedWrongColour }

    public init() {}

    public mutating func add(_ c: ImageCheck) {
        images += 1; objects += c.objects; objectsFound += c.objectsFound; relations += c.relations
        relationsHeld += c.relationsHeld; extraObjects += c.extraObjects; graphsHeld += c.allHold ? 1 : 0
        relationsOfFoundPairs += c.relationsOfFoundPairs
        missedWrongShape += c.missedWrongShape; missedWrongColour += c.missedWrongColour
    }

    public var objectRecall: Double { objects == 0 ? 1 : Double(objectsFound) / Double(objects) }
    public var relationAccuracy: Double { relations == 0 ? 1 : Double(relationsHeld) / Double(relations) }
    /// Relation accuracy over the triples whose two objects were found: whether the layout follows
    /// the graph, apart from whether the objects are drawn (chance is about 0.25).
    public var foundPairRelationAccuracy: Double { relationsOfFoundPairs == 0 ? 0 : Double(relationsHeld) / Double(relationsOfFoundPairs) }
    public var graphAccuracy: Double { images == 0 ? 0 : Double(graphsHeld) / Double(images) }
    public var extraPerImage: Double { images == 0 ? 0 : Double(extraObjects) / Double(images) }
    /// Why objects were missed, each as a share of all asked-for objects (with recall they sum to 1).
    public var wrongShapeShare: Double { share(missedWrongShape) }
    public var wrongColourShare: Double { share(missedWrongColour) }
    public var absentShare: Double { share(missedAbsent) }
    private func share(_ n: Int) -> Double { objects == 0 ? 0 : Double(n) / Double(objects) }

    /// One JSON object with the keys the `shapeworld check` command promises.
    public var json: String {
        func f(_ x: Double) -> String { String(format: "%.4f", x) }
        return "{\"images\": \(images), \"object_recall\": \(f(objectRecall)), \"relation_accuracy\": \(f(relationAccuracy)), "
            + "\"relation_accuracy_found_pairs\": \(f(foundPairRelationAccuracy)), "
            + "\"graph_accuracy\": \(f(graphAccuracy)), \"extra_per_image\": \(f(extraPerImage)), "
            + "\"missed_wrong_shape\": \(f(wrongShapeShare)), \"missed_wrong_colour\": \(f(wrongColourShare)), "
            + "\"missed_absent\": \(f(absentShare))}"
    }
}

/// Reads a graph back out of an image and scores it (docs/data.md, "The checker").
public struct SceneChecker: Sendable {
    public var detector = ShapeDetector()
    public init(detector: ShapeDetector = ShapeDetector()) { self.detector = detector }

    public func check(rgb pixels: [UInt8], width: Int, height: Int, graph: SceneGraph) -> ImageCheck {
        let detections = detector.detect(rgb: pixels, width: width, height: height)
        let match = graph.boxes == nil ? bestMatch(graph, detections) : matchObjects(graph, detections)
        var foundPairs = 0
        let relationHeld = graph.relationships.map { r -> Bool in
            guard r.subject < match.count, r.object < match.count, let s = match[r.subject], let o = match[r.object] else { return false }
            foundPairs += 1
            return geometricRelation(subject: detections[s].box, object: detections[o].box) == r.predicate
        }
        let found = match.compactMap { $0 }.count
        let (wrongShape, wrongColour) = missCauses(graph, detections, match)
        return ImageCheck(objects: graph.objects.count, objectsFound: found, relations: graph.relationships.count,
                          relationsHeld: relationHeld.filter { $0 }.count, relationsOfFoundPairs: foundPairs,
                          extraObjects: detections.count - found, missedWrongShape: wrongShape, missedWrongColour: wrongColour,
                          relationHeld: relationHeld)
    }

    /// Explains missed objects by the unclaimed detections: one of the object's colour and another
    /// shape makes it a wrong shape; failing that, one of its shape and another colour a wrong colour.
    /// Each detection explains at most one miss.
    func missCauses(_ graph: SceneGraph, _ detections: [Detection], _ match: [Int?]) -> (shape: Int, colour: Int) {
        let claimed = Set(match.compactMap { $0 })
        var unclaimed = detections.indices.filter { !claimed.contains($0) }.map { detections[$0].shapeClass }
        let missed = graph.objects.indices.compactMap { i -> ShapeClass? in match[i] == nil ? ShapeClass(name: graph.objects[i]) : nil }
        // Removes the first unclaimed detection that fits (in detection order), if any.
        func take(_ fits: (ShapeClass) -> Bool) -> Bool {
            guard let k = unclaimed.firstIndex(where: fits) else { return false }
            unclaimed.remove(at: k)
            return true
        }
        let unexplained = missed.filter { cls in !take { $0.color == cls.color } }
        let wrongColour = unexplained.filter { cls in take { $0.shape == cls.shape } }.count
        return (missed.count - unexplained.count, wrongColour)
    }

    /// One detection per graph object, by class, with objects of one class interchangeable (an
    /// image checked without boxes, a clip's frames before its objects can be tracked): of the
    /// ways to give a class's matched detections to its objects, the one under which the most
    /// relations hold — the image shows the graph if any reading of it does.
    func bestMatch(_ graph: SceneGraph, _ detections: [Detection]) -> [Int?] {
        var match = matchObjects(graph, detections)
        // Groups past 8 objects (8! readings) keep the largest-first reading; the rest of the
        // graph's groups are still read (a COCO graph of ten objects with two people among them).
        let groups = Dictionary(grouping: graph.objects.indices, by: { graph.objects[$0] }).values.filter { $0.count > 1 && $0.count <= 8 }
        guard !groups.isEmpty else { return match }
        func held(_ m: [Int?]) -> Int {
            graph.relationships.filter { r in
                guard r.subject < m.count, r.object < m.count, let s = m[r.subject], let o = m[r.object] else { return false }
                return geometricRelation(subject: detections[s].box, object: detections[o].box) == r.predicate
            }.count
        }
        // Every permutation of each group's detections (a missed object's nil among them), group
        // after group.
        func permutations(_ xs: [Int?]) -> [[Int?]] {
            xs.count <= 1 ? [xs] : xs.indices.flatMap { i in permutations(Array(xs[..<i] + xs[(i + 1)...])).map { [xs[i]] + $0 } }
        }
        for group in groups.sorted(by: { $0[0] < $1[0] }) {
            var best = match, bestHeld = held(match)
            for p in permutations(group.map { match[$0] }) {
                var candidate = match
                for (object, detection) in zip(group, p) { candidate[object] = detection }
                let h = held(candidate)
                if h > bestHeld { best = candidate; bestHeld = h }
            }
            match = best
        }
        return match
    }

    /// One detection per graph object, by class; among several candidates of a class the closest to
    /// the graph's box when it has boxes, else the largest first.
    func matchObjects(_ graph: SceneGraph, _ detections: [Detection]) -> [Int?] {
        var used = Set<Int>()
        var result = [Int?](repeating: nil, count: graph.objects.count)
        // Objects with boxes claim their nearest candidate first, nearest pairs first.
        var candidates: [(Double, Int, Int)] = []
        for (i, name) in graph.objects.enumerated() {
            guard let cls = ShapeClass(name: name) else { continue }
            for (j, d) in detections.enumerated() where d.shapeClass == cls {
                let cost: Double
                if let boxes = graph.boxes, i < boxes.count {
                    let b = boxes[i]
                    cost = (b.centerX - d.box.centerX) * (b.centerX - d.box.centerX) + (b.centerY - d.box.centerY) * (b.centerY - d.box.centerY)
                } else {
                    cost = -Double(d.pixelCount)
                }
                candidates.append((cost, i, j))
            }
        }
        for (_, i, j) in candidates.sorted(by: { $0.0 < $1.0 }) where result[i] == nil && !used.contains(j) {
            result[i] = j; used.insert(j)
        }
        return result
    }
}
