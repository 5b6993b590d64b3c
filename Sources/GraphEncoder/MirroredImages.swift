import Tensors

/// Images `indices` of a [N, C, S, S] pixel array, each mirrored left to right, as [indices.count, C, S, S].
public func mirroredImages(_ pixels: [Float], indices: [Int], channels: Int, size: Int) -> [Float] {
    let plane = size * size, image = channels * plane
    require(indices.allSatisfy { $0 >= 0 && ($0 + 1) * image <= pixels.count }, "mirroredImages: index out of range of \(pixels.count / max(image, 1)) images")
    var out = [Float](repeating: 0, count: indices.count * image)
    pixels.withUnsafeBufferPointer { src in out.withUnsafeMutableBufferPointer { dst in
        for (k, i) in indices.enumerated() {
            for row in 0..<(channels * size) {
                let s = i * image + row * size, d = k * image + row * size
                for x in 0..<size { dst[d + x] = src[s + size - 1 - x] }
            }
        }
    } }
    return out
}
