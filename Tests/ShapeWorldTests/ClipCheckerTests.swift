import SceneGraphs
import Testing
@testable import ShapeWorld

@Suite struct ClipCheckerTests {
    let renderer = ShapeWorldRenderer()

    /// Graphs as the model sees them: no boxes, so objects are matched by class alone.
    func graphs(_ clip: ShapeWorldClip) -> [SceneGraph] {
        clip.frames.map { var g = $0.graph; g.boxes = nil; return g }
    }

    /// Whether no two objects' boxes overlap in any frame (a hidden object cannot be found by any
    /// checker, so the renderer keeps clip objects apart).
    func apart(_ clip: ShapeWorldClip) -> Bool {
        clip.frames.allSatisfy { frame in
            let b = frame.graph.boxes!
            return b.indices.allSatisfy { i in b.indices.allSatisfy { j in
                i == j || b[i].x1 <= b[j].x0 || b[j].x1 <= b[i].x0 || b[i].y1 <= b[j].y0 || b[j].y1 <= b[i].y0
            } }
        }
    }

    @Test func renderedClipsScoreAtTheCeiling() {
        var all = ClipMetrics()
        for i in 0..<300 {
            let clip = renderer.clip(seed: 2026, index: i)
            #expect(apart(clip), "clip \(i): two objects overlap in some frame")
            all.add(SceneChecker().check(clip: clip.frames.map(\.pixels), width: 32, height: 32, graphs: graphs(clip)))
        }
        print("clip checker on 300 rendered clips: \(all.json)")
        #expect(all.clips == 300 && all.frames.images == 2400 && all.motionPairs == 2100)
        #expect(all.objectRecall >= 0.99)
        #expect(all.relationAccuracy >= 0.99)
        #expect(all.identityRate >= 0.97)
        #expect(all.motionConsistency >= 0.99)
    }

    @Test func brokenClipsAreCaught() {
        var shuffled = ClipMetrics(), vanished = ClipMetrics(), intact = ClipMetrics()
        var i = 0
        while intact.clips < 40 {
            let clip = renderer.clip(seed: 7, index: i), other = renderer.clip(seed: 8, index: i)
            i += 1
            guard apart(clip) else { continue }
            var pixels = clip.frames.map(\.pixels)
            intact.add(SceneChecker().check(clip: pixels, width: 32, height: 32, graphs: graphs(clip)))
            // Frame 4 shows another clip: its objects jump, or are not there at all.
            pixels[4] = other.frames[4].pixels
            shuffled.add(SceneChecker().check(clip: pixels, width: 32, height: 32, graphs: graphs(clip)))
            // Frame 2 is empty background: every object vanishes for a frame.
            pixels = clip.frames.map(\.pixels)
            pixels[2] = [UInt8](repeating: 32, count: 32 * 32 * 3)
            vanished.add(SceneChecker().check(clip: pixels, width: 32, height: 32, graphs: graphs(clip)))
        }
        print("intact \(intact.json)\nframe swapped \(shuffled.json)\nframe blanked \(vanished.json)")
        // A swapped frame breaks the pairs on both sides of it: 2 of 7 in every clip.
        #expect(shuffled.motionConsistency <= intact.motionConsistency - 0.25)
        #expect(shuffled.identityRate < 0.1)
        #expect(vanished.identityRate == 0)
        #expect(vanished.motionConsistency <= 5.0 / 7)
        #expect(vanished.objectRecall <= intact.objectRecall - 0.1)
    }

    @Test func motionLimitIsThreePixelsAtThirtyTwo() {
        // One red square, moved 3 px then 4 px to the right.
        func frame(_ x: Int) -> [UInt8] {
            var p = [UInt8](repeating: 32, count: 32 * 32 * 3)
            for y in 10..<18 { for c in x..<(x + 8) { (p[3 * (y * 32 + c)], p[3 * (y * 32 + c) + 1], p[3 * (y * 32 + c) + 2]) = (230, 40, 40) } }
            return p
        }
        let graph = SceneGraph(objects: ["red square"], relationships: [])
        let c = SceneChecker().check(clip: [frame(4), frame(7), frame(11)], width: 32, height: 32, graphs: [graph, graph, graph])
        #expect(c.identityKept && c.motionPairs == 2 && c.consistentPairs == 1)
    }
}

@Suite struct SmoothClipTests {
    /// One red square at column x (8×8 at row 10), on the background.
    func frame(_ x: Int) -> [UInt8] {
        var p = [UInt8](repeating: 32, count: 32 * 32 * 3)
        for y in 10..<18 { for c in x..<(x + 8) { (p[3 * (y * 32 + c)], p[3 * (y * 32 + c) + 1], p[3 * (y * 32 + c) + 2]) = (230, 40, 40) } }
        return p
    }

    @Test func aClipIsSmoothOnlyWhenEveryPairIsConsistent() {
        let graph = SceneGraph(objects: ["red square"], relationships: [])
        let steady = SceneChecker().check(clip: [frame(4), frame(6), frame(8)], width: 32, height: 32, graphs: [graph, graph, graph])
        let jump = SceneChecker().check(clip: [frame(4), frame(6), frame(12)], width: 32, height: 32, graphs: [graph, graph, graph])
        #expect(steady.smooth && !jump.smooth)
        var metrics = ClipMetrics()
        metrics.add(steady); metrics.add(jump)
        #expect(metrics.smoothRate == 0.5)
    }

    @Test func flickerIsTheMeanAbsolutePixelChangeBetweenFrames() {
        let graph = SceneGraph(objects: ["red square"], relationships: [])
        // Moving the square 2 px changes 2 columns on each side: 2 × 8 rows × 2 sides = 32 pixels,
        // each by |230−32| + |40−32| + |40−32| over 3 channels.
        let c = SceneChecker().check(clip: [frame(4), frame(6)], width: 32, height: 32, graphs: [graph, graph])
        let expected = 32.0 * Double(198 + 8 + 8) / Double(32 * 32 * 3)
        #expect(abs(c.flicker - expected) < 1e-9)
        let still = SceneChecker().check(clip: [frame(4), frame(4), frame(4)], width: 32, height: 32, graphs: [graph, graph, graph])
        #expect(still.flicker == 0)
    }

    @Test func clipsWhoseRelationsChangeAreReportedApart() {
        let left = SceneGraph(objects: ["red square", "blue circle"], relationships: [Relationship(0, "left of", 1)])
        let right = SceneGraph(objects: ["red square", "blue circle"], relationships: [Relationship(0, "right of", 1)])
        let blank = [UInt8](repeating: 32, count: 32 * 32 * 3)
        var report = ClipReport()
        report.add(SceneChecker().check(clip: [blank, blank], width: 32, height: 32, graphs: [left, left]))
        report.add(SceneChecker().check(clip: [blank, blank], width: 32, height: 32, graphs: [left, right]))
        #expect(report.all.clips == 2 && report.changing.clips == 1)
        #expect(report.json.contains("\"changing\": {\"clips\": 1, \"frames\": 2,"))
    }

    @Test func aboutFourInTenRenderedClipsChangeRelationsAndAllAreSmooth() {
        var report = ClipReport()
        for i in 0..<100 {
            let clip = ShapeWorldRenderer().clip(seed: 11, index: i)
            let graphs = clip.frames.map { var g = $0.graph; g.boxes = nil; return g }
            report.add(SceneChecker().check(clip: clip.frames.map(\.pixels), width: 32, height: 32, graphs: graphs))
        }
        #expect(report.changing.clips >= 25 && report.changing.clips <= 55)
        #expect(report.all.smoothRate == 1 && report.changing.smoothRate == 1)
    }
}
