import SceneGraphs

/// Training batches of rendered scenes: images as Float32 in [−1, 1], batch-major [B, 3, H, W]
/// (planar per image, as the model takes them), with their graphs. Scene i of a seed is always
/// the same, so an epoch is reproducible and resumable from `nextIndex`.
public struct ShapeWorldBatches: Sendable {
    public var renderer: ShapeWorldRenderer
    public var seed: UInt64
    /// Index of the next scene to render.
    public var nextIndex: Int

    public init(renderer: ShapeWorldRenderer = ShapeWorldRenderer(), seed: UInt64, startIndex: Int = 0) {
        self.renderer = renderer; self.seed = seed; self.nextIndex = startIndex
    }

    /// The next `count` scenes.
    public mutating func next(_ count: Int) -> (images: [Float], graphs: [SceneGraph]) {
        let s = renderer.size, plane = s * s
        var images = [Float](repeating: 0, count: count * 3 * plane)
        var graphs: [SceneGraph] = []
        graphs.reserveCapacity(count)
        for b in 0..<count {
            let scene = renderer.scene(seed: seed, index: nextIndex)
            nextIndex += 1
            graphs.append(scene.graph)
            scene.pixels.withUnsafeBufferPointer { p in images.withUnsafeMutableBufferPointer { out in
                let base = b * 3 * plane
                for i in 0..<plane { for c in 0..<3 { out[base + c * plane + i] = Float(p[3 * i + c]) / 127.5 - 1 } }
            } }
        }
        return (images, graphs)
    }
}
