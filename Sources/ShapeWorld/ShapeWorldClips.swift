import Foundation
import SceneGraphs

/// A clip: frames with one graph per frame over the same objects and the same object pairs.
public struct ShapeWorldClip: Sendable {
    public var frames: [ShapeWorldScene]
    public var sequence: SceneGraphSequence { SceneGraphSequence(frames: frames.map(\.graph)) }
}

extension ShapeWorldRenderer {
    /// Clip number `index` of data set `seed`: free objects (no nesting) moving at constant velocity
    /// of 0.5–2 px a frame (scaled), bouncing off the borders; relations recomputed every frame.
    /// Objects never touch in any frame (whole trajectories are drawn again until they keep ≥ 1 px
    /// apart): an object passing over another would hide it, so no checker could find every
    /// object in every frame, and identity over time would not be measurable.
    public func clip(seed: UInt64, index: Int, frames: Int = 8) -> ShapeWorldClip {
        var rng = SplitMix64(seed: ~(seed &* 0x2545_F491_4F6C_DD1D) ^ UInt64(index) &* 0x9E37_79B9_7F4A_7C15)
        var trajectory: [[PlacedShape]] = []
        while trajectory.isEmpty {
            trajectory = movingShapes(frames: frames, rng: &rng) ?? []
        }
        let pairs = relationPairs(count: trajectory[0].count, rng: &rng)
        let result = trajectory.map { moved -> ShapeWorldScene in
            let (pixels, boxes) = draw(moved)
            let relations = pairs.map { Relationship($0.0, geometricRelation(subject: boxes[$0.0], object: boxes[$0.1]), $0.1) }
            return ShapeWorldScene(size: size, pixels: pixels, graph: SceneGraph(objects: moved.map(\.shapeClass.name),
                                                                               relationships: relations, boxes: boxes), nested: false)
        }
        return ShapeWorldClip(frames: result)
    }

    /// One try at a clip's motion: the shapes of every frame, or nil when two of them come within
    /// 1 px of each other in some frame (or too few could be placed).
    func movingShapes(frames: Int, rng: inout SplitMix64) -> [[PlacedShape]]? {
        let still = ShapeWorldRenderer(size: size, minObjects: minObjects, maxObjects: maxObjects, nestedProbability: 0)
        let count = rng.int(minObjects...maxObjects)
        var shapes: [PlacedShape] = []
        for _ in 0..<count {
            guard let p = still.place(side: rng.int(px(7)...px(14)), cls: ShapeClass.all[rng.int(0...17)], avoiding: shapes, rng: &rng) else { return nil }
            shapes.append(p)
        }
        // Positions and velocities in pixels (Double), rounded when drawn.
        var position = shapes.map { (Double($0.x0), Double($0.y0)) }
        let scale = Double(size) / 32
        var velocity: [(Double, Double)] = shapes.map { _ in
            let speed = (0.5 + 1.5 * rng.unit()) * scale, angle = 2 * Double.pi * rng.unit()
            return (speed * cos(angle), speed * sin(angle))
        }
        var trajectory: [[PlacedShape]] = []
        for _ in 0..<frames {
            let moved = zip(shapes, position).map { shape, p -> PlacedShape in
                let side = shape.x1 - shape.x0
                let x = Int(p.0.rounded()), y = Int(p.1.rounded())
                return PlacedShape(shapeClass: shape.shapeClass, x0: x, y0: y, x1: x + side, y1: y + side)
            }
            for i in moved.indices { for j in moved.indices where j > i {
                let a = moved[i], b = moved[j], gap = 1
                let apart = a.x1 + gap <= b.x0 || b.x1 + gap <= a.x0 || a.y1 + gap <= b.y0 || b.y1 + gap <= a.y0
                if !apart { return nil }
            } }
            trajectory.append(moved)
            for i in shapes.indices {
                let limit = Double(size - (shapes[i].x1 - shapes[i].x0))
                var (x, y) = (position[i].0 + velocity[i].0, position[i].1 + velocity[i].1)
                if x < 0 || x > limit { velocity[i].0 = -velocity[i].0; x = min(max(x, 0), limit) }
                if y < 0 || y > limit { velocity[i].1 = -velocity[i].1; y = min(max(y, 0), limit) }
                position[i] = (x, y)
            }
        }
        return trajectory
    }

    /// The (subject, object) pairs a clip relates in every frame: as for still scenes, each object
    /// picks one other at random in a random direction, each pair once.
    func relationPairs(count: Int, rng: inout SplitMix64) -> [(Int, Int)] {
        guard count > 1 else { return [] }
        var result: [(Int, Int)] = [], seen = Set<[Int]>()
        for i in 0..<count {
            var j = rng.int(0...(count - 2))
            if j >= i { j += 1 }
            let pair = rng.unit() < 0.5 ? (i, j) : (j, i)
            if seen.insert([min(i, j), max(i, j)]).inserted { result.append(pair) }
        }
        return result
    }
}
