import Tensors

/// How a model trained on clean context frames (`model.context_frames` = k > 0) draws a clip: some
/// frames alone first (the image layers; a single frame skips the temporal layers, which would
/// have nothing to attend to), then windows of up to W frames (the frame positions), each denoising
/// its new frames beside clean frames already drawn (timestep 0, as in training).
/// - Continuing (`keyframes` off): frame 0 alone, then the first window frames 1…W−1 beside frame 0,
///   every later one W − k new frames beside the k frames before them (more when the clip's end
///   leaves fewer new frames, so every window but a short clip's is W frames long). The layout is
///   decided once and carried forward.
/// - Keyframes (`model.keyframes`): every (W−1)-th frame alone (0, 7, 14, … at W = 8), then the
///   frames between two keyframes drawn beside both — the motion between two layouts infilled —
///   and frames after the last keyframe continued from the frames before them.
public struct ClipContinuation: Sendable, Equatable {
    /// One window: the clean frames it is drawn beside and the frames it draws (clip frame indices).
    public struct Window: Sendable, Equatable {
        public let kept: [Int]
        public let new: [Int]
        /// The window's frames in clip order, which is the order the temporal layers see.
        public var rows: [Int] { (kept + new).sorted() }
    }

    /// Frames in the whole clip.
    public let frames: Int
    /// Frames drawn alone, before any window.
    public let alone: [Int]
    /// The windows, in drawing order.
    public let windows: [Window]

    /// The plan for `frames` frames in windows of `window` frames, continuing from `context` frames.
    public init(frames: Int, window: Int, context: Int, keyframes: Bool = false) {
        require(frames >= 1 && window >= 2 && context >= 1 && context < window,
                "ClipContinuation: \(frames) frames, window \(window), context \(context)")
        self.frames = frames
        var windows: [Window] = []
        var next: Int
        if keyframes {
            alone = Array(stride(from: 0, to: frames, by: window - 1))
            for (a, b) in zip(alone, alone.dropFirst()) where b > a + 1 {
                windows.append(Window(kept: [a, b], new: Array((a + 1)..<b)))
            }
            next = alone.last! + 1
        } else {
            alone = [0]
            next = 1
        }
        while next < frames {
            let fresh = min(next == 1 ? window - 1 : window - context, frames - next)
            let kept = min(next, window - fresh)
            windows.append(Window(kept: Array((next - kept)..<next), new: Array(next..<(next + fresh))))
            next += fresh
        }
        self.windows = windows
    }

    /// UNet evaluations of frames per denoising step, over the whole clip.
    public var frameEvaluations: Int { alone.count + windows.reduce(0) { $0 + $1.kept.count + $1.new.count } }
}
