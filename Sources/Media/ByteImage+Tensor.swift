import Tensors

extension ByteImage {
    /// An image from a [C, H, W] tensor in the model's range [−1, 1] (clamped, rounded to the nearest byte).
    public init(tensor: Tensor) throws {
        guard tensor.rank == 3, [1, 3, 4].contains(tensor.shape[0]) else {
            throw MediaError.invalidImage("expected a [C, H, W] tensor with 1, 3 or 4 channels, got \(tensor.shape)")
        }
        let (c, h, w) = (tensor.shape[0], tensor.shape[1], tensor.shape[2])
        var pixels = [UInt8](repeating: 0, count: c * h * w)
        tensor.withData { src in
            for ch in 0..<c { for i in 0..<(h * w) {
                let v = (min(max(src[ch * h * w + i], -1), 1) + 1) * 127.5
                pixels[i * c + ch] = UInt8(v.rounded())
            } }
        }
        try self.init(width: w, height: h, channels: c, pixels: pixels)
    }

    /// This image as a [C, H, W] tensor in [−1, 1].
    public func tensor() -> Tensor {
        var values = [Float](repeating: 0, count: pixels.count)
        for ch in 0..<channels { for i in 0..<(width * height) {
            values[ch * width * height + i] = Float(pixels[i * channels + ch]) / 127.5 - 1
        } }
        return Tensor(shape: [channels, height, width], scalars: values)
    }
}
