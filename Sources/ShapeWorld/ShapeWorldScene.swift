import SceneGraphs

/// One drawn object: its class and the pixel box it was asked to fill (the graph's box is the tight
/// box of what was actually drawn).
public struct PlacedShape: Sendable, Equatable {
    public var shapeClass: ShapeClass
    /// Requested box in pixels: columns x0..<x1, rows y0..<y1.
    public var x0: Int, y0: Int, x1: Int, y1: Int

    /// Whether the pixel at (x, y) belongs to the shape (tested at pixel centres).
    public func covers(_ x: Int, _ y: Int) -> Bool {
        guard x >= x0, x < x1, y >= y0, y < y1 else { return false }
        let w = Double(x1 - x0), h = Double(y1 - y0)
        let u = (Double(x - x0) + 0.5) / w, v = (Double(y - y0) + 0.5) / h   // 0…1 inside the box
        switch shapeClass.shape {
        case .square: return true
        case .circle: return (u - 0.5) * (u - 0.5) + (v - 0.5) * (v - 0.5) <= 0.25
        case .triangle: return abs(u - 0.5) <= v / 2       // apex at the top centre, base along the bottom
        }
    }
}

/// A rendered image with its scene graph (boxes are the tight boxes of the drawn pixels).
public struct ShapeWorldScene: Sendable {
    public var size: Int
    /// RGB, row-major, size × size × 3.
    public var pixels: [UInt8]
    public var graph: SceneGraph
    /// Whether the scene holds a nested pair (for statistics).
    public var nested: Bool
}
