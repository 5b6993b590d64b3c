import CFFmpeg
import Foundation

/// What a decoded video (or still image) holds.
public struct DecodedVideo: Sendable {
    /// Codec name as FFmpeg reports it ("h264", "mpeg4", "gif", "png", "mjpeg").
    public var codec: String
    public var width: Int
    public var height: Int
    /// Average frame rate of the stream (0 when the container does not say).
    public var framesPerSecond: Double
    /// Every frame as RGB.
    public var frames: [ByteImage]
}

/// Decodes videos and images through libavformat/libavcodec, converting frames to RGB with libswscale.
public enum VideoReader {
    /// All frames of the first video stream of `url`.
    public static func decode(_ url: URL) throws -> DecodedVideo {
        _ = quietFFmpegLogging
        let path = url.path
        var input: UnsafeMutablePointer<AVFormatContext>? = nil
        try check(avformat_open_input(&input, path, nil, nil), "opening", path)
        defer { avformat_close_input(&input) }
        try check(avformat_find_stream_info(input, nil), "reading stream info", path)
        var decoder: UnsafePointer<AVCodec>? = nil
        let index = try check(av_find_best_stream(input, AVMEDIA_TYPE_VIDEO, -1, -1, &decoder, 0), "finding a video stream", path)
        guard let input, let decoder, let stream = input.pointee.streams[Int(index)] else { throw MediaError.noFrames(path: path) }
        var context = avcodec_alloc_context3(decoder)
        defer { avcodec_free_context(&context) }
        guard let context else { throw MediaError.ffmpeg(path: path, step: "allocating the decoder", message: "out of memory") }
        try check(avcodec_parameters_to_context(context, stream.pointee.codecpar), "configuring the decoder", path)
        try check(avcodec_open2(context, decoder, nil), "opening the decoder", path)
        var packet = av_packet_alloc(), frame = av_frame_alloc()
        defer { av_packet_free(&packet); av_frame_free(&frame) }
        guard let packet, let frame else { throw MediaError.ffmpeg(path: path, step: "allocating a frame", message: "out of memory") }
        var converter = RGBConverter()
        defer { converter.release() }
        var frames: [ByteImage] = []

        func drain() throws {
            while true {
                let r = avcodec_receive_frame(context, frame)
                if r == cffmpeg_eagain() || r == cffmpeg_eof() { return }
                try check(r, "decoding", path)
                frames.append(try converter.rgb(of: frame, path: path))
                av_frame_unref(frame)
            }
        }
        while av_read_frame(input, packet) >= 0 {
            defer { av_packet_unref(packet) }
            guard packet.pointee.stream_index == index else { continue }
            try check(avcodec_send_packet(context, packet), "decoding", path)
            try drain()
        }
        try check(avcodec_send_packet(context, nil), "flushing the decoder", path)
        try drain()
        guard !frames.isEmpty else { throw MediaError.noFrames(path: path) }
        let rate = stream.pointee.avg_frame_rate
        let name = String(cString: avcodec_get_name(stream.pointee.codecpar.pointee.codec_id))
        return DecodedVideo(codec: name, width: Int(stream.pointee.codecpar.pointee.width), height: Int(stream.pointee.codecpar.pointee.height),
                            framesPerSecond: rate.den == 0 ? 0 : Double(rate.num) / Double(rate.den), frames: frames)
    }

    /// A still image (JPEG, PNG, …) as RGB: for the COCO and Visual Genome loaders.
    public static func decodeImage(_ url: URL) throws -> ByteImage {
        try decode(url).frames[0]
    }
}

/// Converts decoded frames of any pixel format to packed RGB24, reusing one swscale context.
struct RGBConverter {
    private var context: OpaquePointer?

    mutating func rgb(of frame: UnsafeMutablePointer<AVFrame>, path: String) throws -> ByteImage {
        let (w, h) = (Int(frame.pointee.width), Int(frame.pointee.height))
        context = sws_getCachedContext(context, Int32(w), Int32(h), AVPixelFormat(rawValue: frame.pointee.format), Int32(w), Int32(h),
                                       AV_PIX_FMT_RGB24, SWS_POINT | SWS_ACCURATE_RND, nil, nil, nil)
        guard let context else { throw MediaError.ffmpeg(path: path, step: "converting to RGB", message: "unsupported pixel format") }
        // Padded like FFmpeg's own buffers (swscale's SIMD stores may overshoot), trimmed after.
        var pixels = [UInt8](repeating: 0, count: w * h * 3 + 64)
        pixels.withUnsafeMutableBufferPointer { dst in
            var planes: [UnsafeMutablePointer<UInt8>?] = [dst.baseAddress, nil, nil, nil]
            var strides: [Int32] = [Int32(w * 3), 0, 0, 0]
            withUnsafePointer(to: &frame.pointee.data) { data in
                withUnsafePointer(to: &frame.pointee.linesize) { lines in
                    data.withMemoryRebound(to: UnsafePointer<UInt8>?.self, capacity: 8) { d in
                        lines.withMemoryRebound(to: Int32.self, capacity: 8) { l in
                            _ = sws_scale(context, d, l, 0, Int32(h), &planes, &strides)
                        }
                    }
                }
            }
        }
        pixels.removeLast(64)
        return ByteImage(unchecked: w, h, 3, pixels)
    }

    mutating func release() {
        if let c = context { sws_freeContext(c) }
        context = nil
    }
}
