import Tensors

/// How a clip longer than the model's frame positions is drawn: overlapping windows of W frames
/// (W = the positions), each denoised as a clip of its own, and every frame's ε the mean over the
/// windows that hold it, at every step (MultiDiffusion's fusion, arXiv 2302.08113, over time as
/// FreeNoise does). Shared frames agree step by step, so the windows join into one clip.
public struct ClipWindows: Sendable, Equatable {
    /// Frames in the whole clip.
    public let frames: Int
    /// Frames in one window: the model's frame positions.
    public let window: Int
    /// First frame of each window: every `stride` frames, the last one ending at the clip's end.
    public let starts: [Int]
    /// The clip's frame of every row of the windows, window after window.
    public let rows: [Int]

    /// Windows of `window` frames every `window / 2` frames (half of each window shared with the next).
    public init(frames: Int, window: Int) {
        require(frames >= 1 && window >= 1, "ClipWindows: \(frames) frames, window \(window)")
        self.frames = frames
        self.window = min(window, frames)
        let stride = max(self.window / 2, 1)
        var starts = Array(Swift.stride(from: 0, through: frames - self.window, by: stride))
        if starts.last! != frames - self.window { starts.append(frames - self.window) }
        self.starts = starts
        let window = self.window
        rows = starts.flatMap { Array($0..<($0 + window)) }
    }

    /// Whether the clip needs more than one window.
    public var isWindowed: Bool { starts.count > 1 }

    /// ε of the whole clip x [F, …]: `denoise` gets the windows' frames [windows·W, …] as clips of W
    /// frames and returns their ε, which is averaged back per frame (x itself when one window does).
    public func epsilon(_ x: Tensor, denoise: (Tensor) -> Tensor) -> Tensor {
        isWindowed ? mean(denoise(gather(x))) : denoise(x)
    }

    /// x [F, …] → the windows' frames [windows·W, …].
    public func gather(_ x: Tensor) -> Tensor {
        require(x.shape[0] == frames, "ClipWindows: \(x.shape[0]) frames, expected \(frames)")
        return indexSelect(x, rows)
    }

    /// The context of every row of the windows, from the clip's context (one row per frame).
    public func gather(_ c: DiffusionContext) -> DiffusionContext { c.rows(rows) }

    /// ε of the windows' frames [windows·W, …] → each clip frame's mean over its windows [F, …].
    public func mean(_ windowed: Tensor) -> Tensor {
        require(windowed.shape[0] == rows.count, "ClipWindows: \(windowed.shape[0]) rows, expected \(rows.count)")
        let per = windowed.count / rows.count
        let out = Tensor.zeros([frames] + windowed.shape.dropFirst())
        var count = [Int](repeating: 0, count: frames)
        let src = windowed.storage.pointer, dst = out.storage.pointer
        for (r, frame) in rows.enumerated() {
            count[frame] += 1
            let o = dst + frame * per, s = src + r * per
            for j in 0..<per { o[j] += s[j] }
        }
        for frame in 0..<frames where count[frame] > 1 {
            let o = dst + frame * per, scale = 1 / Float(count[frame])
            for j in 0..<per { o[j] *= scale }
        }
        return out
    }
}
