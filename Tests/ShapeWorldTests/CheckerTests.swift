import SceneGraphs
import Testing
@testable import ShapeWorld

@Suite struct CheckerTests {
    let renderer = ShapeWorldRenderer()

    @Test func renderedScenesScoreAtTheCeiling() {
        var metrics = CheckMetrics()
        for i in 0..<2000 {
            let scene = renderer.scene(seed: 2026, index: i)
            metrics.add(SceneChecker().check(rgb: scene.pixels, width: 32, height: 32, graph: scene.graph))
        }
        print("checker on 2000 rendered scenes: \(metrics.json)")
        #expect(metrics.objectRecall >= 0.99)
        #expect(metrics.relationAccuracy >= 0.99)
        #expect(metrics.relationsOfFoundPairs >= metrics.relationsHeld && metrics.foundPairRelationAccuracy >= 0.99)
    }

    @Test func renderedScenesScoreAtTheCeilingWithoutBoxes() {
        // As `sample --eval` checks (the model draws its own layout): objects of one class are
        // matched by the reading under which most relations hold. Matched largest-first instead,
        // the rendered scenes themselves hold only 0.934 of their relations (before this rule).
        var metrics = CheckMetrics(), shared = 0
        for i in 0..<2000 {
            let scene = renderer.scene(seed: 2026, index: i)
            var graph = scene.graph
            graph.boxes = nil
            if Set(graph.objects).count < graph.objects.count { shared += 1 }
            metrics.add(SceneChecker().check(rgb: scene.pixels, width: 32, height: 32, graph: graph))
        }
        #expect(shared > 100)
        #expect(metrics.objectRecall >= 0.99)
        #expect(metrics.relationAccuracy >= 0.99)
    }

    @Test func objectsOfOneClassAreReadTheWayTheGraphHolds() {
        // Two red squares, the smaller on the left; the graph says square 0 is left of square 1.
        // Largest-first would give square 0 the right-hand detection and fail the relation.
        let small = PlacedShape(shapeClass: redSquare.shapeClass, x0: 2, y0: 10, x1: 8, y1: 16)
        let large = PlacedShape(shapeClass: redSquare.shapeClass, x0: 14, y0: 8, x1: 26, y1: 20)
        var rng = SplitMix64(seed: 1)
        let scene = renderer.compose([small, large], nested: false, rng: &rng)
        var graph = SceneGraph(objects: ["red square", "red square"], relationships: [Relationship(0, "left of", 1)])
        #expect(SceneChecker().check(rgb: scene.pixels, width: 32, height: 32, graph: graph).allHold)
        // No reading of a graph the picture does not show holds: square 0 above square 1.
        graph.relationships = [Relationship(0, "above", 1)]
        let wrong = SceneChecker().check(rgb: scene.pixels, width: 32, height: 32, graph: graph)
        #expect(wrong.objectsFound == 2 && wrong.relationsHeld == 0)
        // With a third object the reading must hold for every relation at once: square 0 left of
        // square 1 and the blue square left of square 0 cannot both hold with blue at the far right.
        let blue = PlacedShape(shapeClass: blueSquare.shapeClass, x0: 27, y0: 24, x1: 32, y1: 29)
        let three = renderer.compose([small, large, blue], nested: false, rng: &rng)
        graph = SceneGraph(objects: ["red square", "red square", "blue square"],
                           relationships: [Relationship(0, "left of", 1), Relationship(2, "left of", 0)])
        #expect(SceneChecker().check(rgb: three.pixels, width: 32, height: 32, graph: graph).relationsHeld == 1)
    }

    @Test func aLargeGraphStillReadsItsSameClassObjects() {
        // Nine objects, two of them red squares (the smaller on the left, as above): a graph past
        // eight objects is read the same way, group by group.
        let cells = [(0, 0), (1, 0), (2, 0), (0, 1), (1, 1), (2, 1), (0, 2), (1, 2), (2, 2)]
        let classes = [ShapeClass(color: .red, shape: .square), ShapeClass(color: .red, shape: .square)]
            + [ShapeColor.green, .blue, .yellow, .magenta, .cyan].map { ShapeClass(color: $0, shape: .square) }
            + [ShapeClass(color: .green, shape: .triangle), ShapeClass(color: .blue, shape: .triangle)]
        let shapes = zip(classes, cells).enumerated().map { k, pair in
            let (x, y) = (pair.1.0 * 11, pair.1.1 * 11), side = k == 0 ? 6 : 9
            return PlacedShape(shapeClass: pair.0, x0: x, y0: y, x1: x + side, y1: y + side)
        }
        var rng = SplitMix64(seed: 1)
        let scene = renderer.compose(shapes, nested: false, rng: &rng)
        let graph = SceneGraph(objects: classes.map { "\($0.color.rawValue) \($0.shape.rawValue)" }, relationships: [Relationship(0, "left of", 1)])
        let check = SceneChecker().check(rgb: scene.pixels, width: 32, height: 32, graph: graph)
        #expect(check.objectsFound == 9 && check.allHold)
    }

    /// Repaints every pixel of object k in a new colour.
    func recolor(_ scene: ShapeWorldScene, object k: Int, to color: ShapeColor) -> [UInt8] {
        let cls = ShapeClass(name: scene.graph.objects[k])!
        let (r, g, b) = cls.color.rgb, box = scene.graph.boxes![k]
        var pixels = scene.pixels
        for y in Int(box.y0 * 32)..<Int(box.y1 * 32) { for x in Int(box.x0 * 32)..<Int(box.x1 * 32) {
            let o = 3 * (y * 32 + x)
            if pixels[o] == r && pixels[o + 1] == g && pixels[o + 2] == b { (pixels[o], pixels[o + 1], pixels[o + 2]) = color.rgb }
        } }
        return pixels
    }

    @Test func aRecolouredObjectIsCaught() {
        var caught = 0, tried = 0
        for i in 0..<50 {
            let scene = renderer.scene(seed: 7, index: i)
            guard !scene.nested, scene.graph.objects.count == Set(scene.graph.objects).count else { continue }
            let original = ShapeClass(name: scene.graph.objects[0])!
            let other = ShapeColor.allCases.first { $0 != original.color && !scene.graph.objects.contains("\($0.rawValue) \(original.shape.rawValue)") }!
            tried += 1
            let before = SceneChecker().check(rgb: scene.pixels, width: 32, height: 32, graph: scene.graph)
            let after = SceneChecker().check(rgb: recolor(scene, object: 0, to: other), width: 32, height: 32, graph: scene.graph)
            #expect(before.allHold)
            if after.objectsFound < before.objectsFound && after.extraObjects > before.extraObjects { caught += 1 }
        }
        #expect(tried > 20 && caught == tried)
    }

    /// A red square left of a blue square, side by side.
    let redSquare = PlacedShape(shapeClass: ShapeClass(color: .red, shape: .square), x0: 2, y0: 10, x1: 10, y1: 18)
    let blueSquare = PlacedShape(shapeClass: ShapeClass(color: .blue, shape: .square), x0: 14, y0: 10, x1: 22, y1: 18)

    @Test func anObjectMovedAcrossAnotherIsCaught() {
        // Two squares side by side: "left of"; the graph claims it, then the left one is moved right.
        let a = redSquare, b = blueSquare
        var rng = SplitMix64(seed: 1)
        let scene = renderer.compose([a, b], nested: false, rng: &rng)
        var graph = scene.graph
        graph.relationships = [Relationship(0, "left of", 1)]
        #expect(SceneChecker().check(rgb: scene.pixels, width: 32, height: 32, graph: graph).allHold)
        let moved = PlacedShape(shapeClass: a.shapeClass, x0: 24, y0: 10, x1: 32, y1: 18)
        let after = renderer.compose([moved, b], nested: false, rng: &rng)
        let check = SceneChecker().check(rgb: after.pixels, width: 32, height: 32, graph: graph)
        #expect(check.objectsFound == 2 && check.relationsHeld == 0 && !check.allHold)
        // Both objects found, the layout wrong: the pair counts against the found-pair accuracy.
        #expect(check.relationsOfFoundPairs == 1)
    }

    @Test func aMissingObjectLeavesItsRelationsOutOfTheFoundPairs() {
        var rng = SplitMix64(seed: 1)
        let scene = renderer.compose([redSquare, blueSquare], nested: false, rng: &rng)
        var graph = scene.graph
        graph.objects.append("green circle")
        graph.relationships = [Relationship(0, "left of", 1), Relationship(2, "above", 0), Relationship(1, "left of", 0)]
        var metrics = CheckMetrics()
        metrics.add(SceneChecker().check(rgb: scene.pixels, width: 32, height: 32, graph: graph))
        // Three relations: one held, one judged wrong, one whose subject was never drawn.
        #expect(metrics.relationsHeld == 1 && metrics.relationsOfFoundPairs == 2 && metrics.relations == 3)
        #expect(metrics.foundPairRelationAccuracy == 0.5 && metrics.relationAccuracy == 1.0 / 3)
    }

    @Test func missedObjectsAreExplainedByTheUnclaimedDetections() {
        // Drawn: a red square and a blue square. Asked: a red circle (its colour drawn, wrong shape),
        // a green square (its shape drawn in blue, wrong colour) and a yellow triangle (nothing left).
        var rng = SplitMix64(seed: 1)
        let scene = renderer.compose([redSquare, blueSquare], nested: false, rng: &rng)
        let graph = SceneGraph(objects: ["red circle", "green square", "yellow triangle"], relationships: [])
        let check = SceneChecker().check(rgb: scene.pixels, width: 32, height: 32, graph: graph)
        #expect(check.objectsFound == 0 && check.missedWrongShape == 1 && check.missedWrongColour == 1 && check.missedAbsent == 1)
        // One detection explains one miss: a second red object asked for has nothing left to point at.
        let twoRed = SceneGraph(objects: ["red circle", "red triangle"], relationships: [])
        let c2 = SceneChecker().check(rgb: scene.pixels, width: 32, height: 32, graph: twoRed)
        #expect(c2.missedWrongShape == 1 && c2.missedWrongColour == 0 && c2.missedAbsent == 1)
        var metrics = CheckMetrics()
        metrics.add(check); metrics.add(c2)
        #expect(metrics.wrongShapeShare == 2.0 / 5 && metrics.wrongColourShare == 1.0 / 5 && metrics.absentShare == 2.0 / 5)
    }
}
