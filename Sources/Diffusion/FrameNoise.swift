import Tensors

/// Noise for the frames of clips, correlated within a clip (PYoCo's mixed noise prior, arXiv
/// 2305.10474): frame noise = √ρ·(one draw the clip shares) + √(1−ρ)·(the frame's own draw), still
/// standard normal per element. At ρ = 0 it is one plain draw of the whole tensor, as before the
/// key existed, so older runs and models keep their exact numbers.
public struct FrameNoise: Sendable {
    /// ρ, the correlation between any two frames of a clip.
    public let correlation: Double

    public init(correlation: Double) {
        require(correlation >= 0 && correlation < 1, "FrameNoise: correlation \(correlation) outside [0, 1)")
        self.correlation = correlation
    }

    /// Standard-normal noise of `shape` [clips·F, …] whose F consecutive rows form a clip.
    public func draw(_ shape: [Int], frames: Int, using rng: inout RandomGenerator) -> Tensor {
        let t = Tensor.uninitialized(shape)
        let rows = shape[0]
        require(frames > 0 && rows % frames == 0, "FrameNoise: \(rows) rows are not whole clips of \(frames) frames")
        if correlation == 0 { rng.fillNormal(t.storage.pointer, count: t.count, std: 1); return t }
        fillClips(t.storage.pointer, clips: rows / frames, frames: frames, perFrame: t.count / rows, using: &rng)
        return t
    }

    /// A frame's noise from the clip's shared draw: √ρ·shared + √(1−ρ)·(a fresh draw).
    public func frame(sharing shared: Tensor, using rng: inout RandomGenerator) -> Tensor {
        let own = Tensor.uninitialized(shared.shape)
        rng.fillNormal(own.storage.pointer, count: own.count, std: 1)
        mix(shared.storage.pointer, into: own.storage.pointer, count: own.count)
        return own
    }

    func fillClips(_ p: UnsafeMutablePointer<Float>, clips: Int, frames: Int, perFrame: Int, using rng: inout RandomGenerator) {
        let shared = UnsafeMutablePointer<Float>.allocate(capacity: perFrame)
        defer { shared.deallocate() }
        for clip in 0..<clips {
            rng.fillNormal(shared, count: perFrame, std: 1)
            for f in 0..<frames {
                let out = p + (clip * frames + f) * perFrame
                rng.fillNormal(out, count: perFrame, std: 1)
                mix(shared, into: out, count: perFrame)
            }
        }
    }

    /// out = √ρ·shared + √(1−ρ)·out.
    func mix(_ shared: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>, count: Int) {
        let a = Float(correlation.squareRoot()), b = Float((1 - correlation).squareRoot())
        for i in 0..<count { out[i] = a * shared[i] + b * out[i] }
    }
}
