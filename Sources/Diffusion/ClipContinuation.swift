import Tensors

/// How a model trained to continue clips (`model.context_frames` = k > 0) draws one: frame 0 alone
/// (the image layers; the temporal ones have nothing to attend to), then windows of up to W frames
/// (the frame positions), each denoising its new frames beside clean frames already drawn — the
/// first window beside frame 0, every later one beside the k frames before it (more when the clip's
/// end leaves fewer new frames, so every window but a short clip's is W frames long). The layout is
/// decided once, in frame 0, and carried forward: each new frame sees where the objects already are.
public struct ClipContinuation: Sendable, Equatable {
    /// One window: clean frames it continues from, then the frames it draws (clip frame indices).
    public struct Window: Sendable, Equatable {
        public let context: Range<Int>
        public let new: Range<Int>
        /// The window's frames in order: context, then new.
        public var rows: [Int] { Array(context) + Array(new) }
    }

    /// Frames in the whole clip.
    public let frames: Int
    /// The windows after frame 0, in drawing order.
    public let windows: [Window]

    /// The plan for `frames` frames with windows of `window` frames continuing from `context` frames.
    public init(frames: Int, window: Int, context: Int) {
        require(frames >= 1 && window >= 2 && context >= 1 && context < window,
                "ClipContinuation: \(frames) frames, window \(window), context \(context)")
        self.frames = frames
        var windows: [Window] = []
        var next = 1
        while next < frames {
            let fresh = min(next == 1 ? window - 1 : window - context, frames - next)
            let kept = min(next, window - fresh)
            windows.append(Window(context: (next - kept)..<next, new: next..<(next + fresh)))
            next += fresh
        }
        self.windows = windows
    }

    /// UNet evaluations of frames per denoising step, over the whole clip (frame 0 counts one).
    public var frameEvaluations: Int { 1 + windows.reduce(0) { $0 + $1.context.count + $1.new.count } }
}
