/// How a video is encoded.
public struct VideoSettings: Sendable {
    public enum Codec: Sendable, Equatable {
        /// H.264 via libx264 in MP4, falling back to MPEG-4 part 2 when libx264 is missing.
        case h264
        /// MPEG-4 part 2 in MP4 (forces the fallback).
        case mpeg4
        /// Animated GIF (fixed 3-3-2 RGB palette: a quick preview, not a faithful copy).
        case gif
    }

    public var codec: Codec = .h264
    public var framesPerSecond: Int = 8
    /// libx264 constant rate factor (0 lossless … 51 worst; 18 is visually lossless).
    public var crf: Int = 18
    /// libx264 speed/size trade-off ("ultrafast" … "veryslow").
    public var preset: String = "medium"
    /// MPEG-4 part 2 quantiser (1 best … 31 worst).
    public var mpeg4Quantizer: Int = 2

    public init(codec: Codec = .h264, framesPerSecond: Int = 8, crf: Int = 18, preset: String = "medium", mpeg4Quantizer: Int = 2) {
        self.codec = codec; self.framesPerSecond = framesPerSecond; self.crf = crf; self.preset = preset; self.mpeg4Quantizer = mpeg4Quantizer
    }
}
