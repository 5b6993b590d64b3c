import SceneGraphs

/// An object found in an image.
public struct Detection: Sendable, Equatable {
    public var shapeClass: ShapeClass
    public var box: Box
    public var pixelCount: Int
}

/// Finds ShapeWorld objects in an RGB image: pixels are classified to the nearest palette colour
/// (or background) within a tolerance, 4-connected components of one colour become objects, tiny
/// ones are dropped, and the shape is told by how much of its box the object fills (square ≈ 1,
/// disc ≈ π/4, triangle ≈ ½ — counting any other colour enclosed in the box, so an outer shape
/// with an inner one on top still reads as itself).
public struct ShapeDetector: Sendable {
    /// Largest RGB distance at which a pixel still counts as a palette colour.
    public var tolerance: Double = 80
    /// Components smaller than this fraction of the image are noise (4 px at 32×32).
    public var minimumArea: Double = 4.0 / 1024

    public init(tolerance: Double = 80, minimumArea: Double = 4.0 / 1024) {
        self.tolerance = tolerance; self.minimumArea = minimumArea
    }

    /// Detections in an image of `width`×`height` RGB pixels.
    public func detect(rgb pixels: [UInt8], width: Int, height: Int) -> [Detection] {
        let n = width * height
        // Label per pixel: −1 background/unknown, else colour index.
        var label = [Int8](repeating: -1, count: n)
        let palette = ShapeColor.allCases.map { c -> (Double, Double, Double) in (Double(c.rgb.0), Double(c.rgb.1), Double(c.rgb.2)) }
        let bg = (Double(shapeWorldBackground.0), Double(shapeWorldBackground.1), Double(shapeWorldBackground.2))
        let limit = tolerance * tolerance
        for i in 0..<n {
            let r = Double(pixels[3 * i]), g = Double(pixels[3 * i + 1]), b = Double(pixels[3 * i + 2])
            var best = -1, bestDistance = (r - bg.0) * (r - bg.0) + (g - bg.1) * (g - bg.1) + (b - bg.2) * (b - bg.2)
            for (k, p) in palette.enumerated() {
                let d = (r - p.0) * (r - p.0) + (g - p.1) * (g - p.1) + (b - p.2) * (b - p.2)
                if d < bestDistance { bestDistance = d; best = k }
            }
            if best >= 0 && bestDistance <= limit { label[i] = Int8(best) }
        }
        // Connected components: colour, pixel count and pixel box of each.
        var component = [Int32](repeating: -1, count: n)
        var parts: [(color: Int8, count: Int, minX: Int, minY: Int, maxX: Int, maxY: Int)] = []
        var stack: [Int] = []
        for start in 0..<n where label[start] >= 0 && component[start] < 0 {
            let color = label[start], id = Int32(parts.count)
            var minX = width, minY = height, maxX = -1, maxY = -1, count = 0
            stack.append(start); component[start] = id
            while let p = stack.popLast() {
                count += 1
                let x = p % width, y = p / width
                minX = min(minX, x); maxX = max(maxX, x); minY = min(minY, y); maxY = max(maxY, y)
                if x > 0, label[p - 1] == color, component[p - 1] < 0 { component[p - 1] = id; stack.append(p - 1) }
                if x < width - 1, label[p + 1] == color, component[p + 1] < 0 { component[p + 1] = id; stack.append(p + 1) }
                if y > 0, label[p - width] == color, component[p - width] < 0 { component[p - width] = id; stack.append(p - width) }
                if y < height - 1, label[p + width] == color, component[p + width] < 0 { component[p + width] = id; stack.append(p + width) }
            }
            parts.append((color, count, minX, minY, maxX, maxY))
        }
        let minimumPixels = max(1, Int((minimumArea * Double(n)).rounded()))
        var detections: [Detection] = []
        for (i, c) in parts.enumerated() where c.count >= minimumPixels {
            // Fill counts the component and whatever it encloses (an inner shape drawn on top),
            // but not a shape that encloses it.
            var filled = c.count
            for (j, o) in parts.enumerated() where j != i && o.minX > c.minX && o.maxX < c.maxX && o.minY > c.minY && o.maxY < c.maxY {
                filled += o.count
            }
            let fill = Double(filled) / Double((c.maxX - c.minX + 1) * (c.maxY - c.minY + 1))
            let shape: Shape = fill > 0.9 ? .square : (fill > 0.64 ? .circle : .triangle)
            let box = Box(x0: Double(c.minX) / Double(width), y0: Double(c.minY) / Double(height),
                          x1: Double(c.maxX + 1) / Double(width), y1: Double(c.maxY + 1) / Double(height))
            detections.append(Detection(shapeClass: ShapeClass(color: ShapeColor.allCases[Int(c.color)], shape: shape), box: box, pixelCount: c.count))
        }
        return detections
    }
}
