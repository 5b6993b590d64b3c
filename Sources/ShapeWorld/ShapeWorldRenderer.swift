import SceneGraphs

/// Draws ShapeWorld scenes exactly as docs/data.md specifies; every size scales with the image.
public struct ShapeWorldRenderer: Sendable {
    public var size: Int
    public var minObjects: Int
    public var maxObjects: Int
    /// Chance that two of the objects come as a nested pair.
    public var nestedProbability: Double

    public init(size: Int = 32, minObjects: Int = 2, maxObjects: Int = 4, nestedProbability: Double = 0.25) {
        precondition(size >= 16 && minObjects >= 1 && maxObjects >= minObjects, "renderer settings")
        self.size = size; self.minObjects = minObjects; self.maxObjects = maxObjects; self.nestedProbability = nestedProbability
    }

    /// A length given at 32 px, scaled to this image size.
    func px(_ at32: Double) -> Int { max(1, Int((at32 * Double(size) / 32).rounded())) }

    /// Scene number `index` of data set `seed` (each scene has its own stream, so any scene can be
    /// rendered alone and in any order).
    public func scene(seed: UInt64, index: Int) -> ShapeWorldScene {
        var rng = SplitMix64(seed: seed &* 0x2545_F491_4F6C_DD1D ^ UInt64(index) &* 0x9E37_79B9_7F4A_7C15)
        return render(using: &rng)
    }

    /// Renders one scene, placing objects by rejection sampling and starting over when a
    /// placement runs out of tries (so every scene has at least `minObjects`).
    public func render(using rng: inout SplitMix64) -> ShapeWorldScene {
        // Count and nesting are drawn once, before any retry: re-drawing them on a failed placement
        // would bias the data towards the easier scenes (measured: 16% nested instead of 25%).
        let count = rng.int(minObjects...maxObjects)
        let nested = count >= 2 && rng.unit() < nestedProbability
        while true {
            if let scene = tryRender(count: count, nested: nested, using: &rng) { return scene }
        }
    }

    func tryRender(count: Int, nested: Bool, using rng: inout SplitMix64) -> ShapeWorldScene? {
        var free: [PlacedShape] = []
        var inner: PlacedShape? = nil
        let freeCount = nested ? count - 1 : count       // the outer of a pair is placed like a free object
        for i in 0..<freeCount {
            let isOuter = nested && i == 0
            let side = isOuter ? rng.int(px(16)...px(22)) : rng.int(px(7)...px(14))
            let cls = ShapeClass.all[rng.int(0...17)]
            guard let placed = place(side: side, cls: cls, avoiding: free, rng: &rng) else { return nil }
            free.append(placed)
        }
        if nested {
            let outer = free[0]
            var cls = ShapeClass.all[rng.int(0...17)]
            while cls.color == outer.shapeClass.color { cls = ShapeClass.all[rng.int(0...17)] }
            guard let placed = placeInside(outer, side: rng.int(px(7)...px(9)), cls: cls, rng: &rng) else { return nil }
            inner = placed
        }
        let shapes = free + (inner.map { [$0] } ?? [])
        return compose(shapes, nested: nested, rng: &rng)
    }

    /// A free square box at least 2 px (scaled) from every placed box; nil after 100 tries.
    func place(side: Int, cls: ShapeClass, avoiding others: [PlacedShape], rng: inout SplitMix64) -> PlacedShape? {
        let gap = px(2)
        for _ in 0..<100 {
            let x = rng.int(0...(size - side)), y = rng.int(0...(size - side))
            let candidate = PlacedShape(shapeClass: cls, x0: x, y0: y, x1: x + side, y1: y + side)
            let clear = others.allSatisfy { o in
                candidate.x1 + gap <= o.x0 || o.x1 + gap <= candidate.x0 || candidate.y1 + gap <= o.y0 || o.y1 + gap <= candidate.y0
            }
            if clear { return candidate }
        }
        return nil
    }

    /// An inner box whose 1-px-grown box lies inside the outer's drawn shape; nil after 100 tries.
    func placeInside(_ outer: PlacedShape, side: Int, cls: ShapeClass, rng: inout SplitMix64) -> PlacedShape? {
        let span = outer.x1 - outer.x0
        guard span - side - 2 >= 0 else { return nil }
        for _ in 0..<100 {
            let x = outer.x0 + 1 + rng.int(0...(span - side - 2)), y = outer.y0 + 1 + rng.int(0...(span - side - 2))
            var inside = true
            for yy in (y - 1)...(y + side) where inside { for xx in (x - 1)...(x + side) where !outer.covers(xx, yy) { inside = false; break } }
            if inside { return PlacedShape(shapeClass: cls, x0: x, y0: y, x1: x + side, y1: y + side) }
        }
        return nil
    }

    /// Draws the shapes in order (later ones on top), measures tight boxes and labels relations.
    func compose(_ shapes: [PlacedShape], nested: Bool, rng: inout SplitMix64) -> ShapeWorldScene {
        let (pixels, boxes) = draw(shapes)
        let graph = SceneGraph(objects: shapes.map(\.shapeClass.name), relationships: relations(boxes, rng: &rng), boxes: boxes)
        return ShapeWorldScene(size: size, pixels: pixels, graph: graph, nested: nested)
    }

    /// Pixels and, per shape, the tight box of its drawn pixels in image fractions.
    func draw(_ shapes: [PlacedShape]) -> ([UInt8], [Box]) {
        var pixels = [UInt8](repeating: 0, count: size * size * 3)
        var boxes: [Box] = []
        boxes.reserveCapacity(shapes.count)
        let s = size
        pixels.withUnsafeMutableBufferPointer { p in
            for i in 0..<(s * s) { p[3 * i] = shapeWorldBackground.0; p[3 * i + 1] = shapeWorldBackground.1; p[3 * i + 2] = shapeWorldBackground.2 }
            for shape in shapes {
                let (r, g, b) = shape.shapeClass.color.rgb
                var minX = Int.max, minY = Int.max, maxX = -1, maxY = -1
                for y in max(shape.y0, 0)..<min(shape.y1, s) {
                    for x in max(shape.x0, 0)..<min(shape.x1, s) where shape.covers(x, y) {
                        let o = 3 * (y * s + x)
                        p[o] = r; p[o + 1] = g; p[o + 2] = b
                        minX = min(minX, x); maxX = max(maxX, x); minY = min(minY, y); maxY = max(maxY, y)
                    }
                }
                let d = Double(s)
                boxes.append(maxX < 0 ? Box(x0: 0, y0: 0, x1: 0, y1: 0)
                             : Box(x0: Double(minX) / d, y0: Double(minY) / d, x1: Double(maxX + 1) / d, y1: Double(maxY + 1) / d))
            }
        }
        return (pixels, boxes)
    }

    /// For each object, one other at random in a random direction, labelled by the geometric
    /// rules; a pair is related at most once.
    func relations(_ boxes: [Box], rng: inout SplitMix64) -> [Relationship] {
        guard boxes.count > 1 else { return [] }
        var result: [Relationship] = []
        var pairs = Set<[Int]>()
        for i in boxes.indices {
            var j = rng.int(0...(boxes.count - 2))
            if j >= i { j += 1 }
            let (s, o) = rng.unit() < 0.5 ? (i, j) : (j, i)
            guard pairs.insert([min(s, o), max(s, o)]).inserted else { continue }
            result.append(Relationship(s, geometricRelation(subject: boxes[s], object: boxes[o]), o))
        }
        return result
    }
}
