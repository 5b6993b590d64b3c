import CFFmpeg
import Foundation
import Output

/// Writes RGB frames to an MP4 (H.264, or MPEG-4 part 2) or an animated GIF through libavformat,
/// libavcodec and libswscale. The file appears only when `finish()` succeeds; until then frames
/// go to a hidden temporary file that is removed on any failure or if the writer is dropped.
///
/// Frame sizes that yuv420p cannot hold (odd width or height) are padded by repeating the last
/// column/row, so a 33×33 frame is stored as 34×34.
public final class VideoWriter {
    public let url: URL
    public let width: Int, height: Int
    public let settings: VideoSettings
    /// The encoder in use ("libx264", "mpeg4" or "gif").
    public let encoderName: String

    private let output: OutputPath
    private var format: UnsafeMutablePointer<AVFormatContext>?
    private var codec: UnsafeMutablePointer<AVCodecContext>?
    private var stream: UnsafeMutablePointer<AVStream>?
    private var frame: UnsafeMutablePointer<AVFrame>?
    private var packet: UnsafeMutablePointer<AVPacket>?
    private var scaler: OpaquePointer?
    private var rgb: [UInt8]
    private let encodedWidth: Int, encodedHeight: Int
    private var frameIndex: Int64 = 0
    private var state = State.open

    private enum State { case open, finished, failed }

    /// Opens the encoder and the temporary output file.
    public init(url: URL, width: Int, height: Int, settings: VideoSettings = VideoSettings()) throws {
        _ = quietFFmpegLogging
        guard width > 0, height > 0 else { throw MediaError.invalidImage("video size \(width)×\(height)") }
        guard settings.framesPerSecond > 0 else { throw MediaError.invalidImage("frame rate \(settings.framesPerSecond)") }
        self.url = url; self.width = width; self.height = height; self.settings = settings
        output = try OutputPath.media(url)
        let gif = settings.codec == .gif
        var name: String
        switch settings.codec {
        case .gif: name = "gif"
        case .mpeg4: name = "mpeg4"
        case .h264: name = avcodec_find_encoder_by_name("libx264") != nil ? "libx264" : "mpeg4"
        }
        guard let encoder = avcodec_find_encoder_by_name(name) else {
            throw MediaError.codecUnavailable(wanted: name, available: availableVideoEncoders())
        }
        encoderName = name
        encodedWidth = gif ? width : (width + 1) / 2 * 2
        encodedHeight = gif ? height : (height + 1) / 2 * 2
        // swscale's SIMD loads may run past the last row: give it the padding FFmpeg buffers carry.
        rgb = [UInt8](repeating: 0, count: encodedWidth * encodedHeight * 3 + 64)
        do {
            try open(encoder: encoder, container: gif ? "gif" : "mp4", pixelFormat: gif ? AV_PIX_FMT_RGB8 : AV_PIX_FMT_YUV420P)
        } catch {
            release()
            output.discard()
            state = .failed
            throw error
        }
    }

    private func open(encoder: UnsafePointer<AVCodec>, container: String, pixelFormat: AVPixelFormat) throws {
        let path = url.path
        try check(avformat_alloc_output_context2(&format, nil, container, output.temporary.path), "allocating the \(container) muxer", path)
        guard let format, let s = avformat_new_stream(format, nil), let c = avcodec_alloc_context3(encoder) else {
            throw MediaError.ffmpeg(path: path, step: "allocating the stream", message: "out of memory")
        }
        stream = s; codec = c
        let fps = Int32(settings.framesPerSecond)
        c.pointee.width = Int32(encodedWidth)
        c.pointee.height = Int32(encodedHeight)
        c.pointee.time_base = AVRational(num: 1, den: fps)
        c.pointee.framerate = AVRational(num: fps, den: 1)
        c.pointee.pix_fmt = pixelFormat
        c.pointee.gop_size = 12
        // One encoder thread: x264's frame threads make the bytes depend on the machine's core count
        // (and its lookahead on scheduling), and a clip's file must be the same wherever it is drawn
        // (jobs' shards, `sample`, the server). Clips here are a few dozen small frames.
        c.pointee.thread_count = 1
        if format.pointee.oformat.pointee.flags & AVFMT_GLOBALHEADER != 0 { c.pointee.flags |= Int32(AV_CODEC_FLAG_GLOBAL_HEADER) }
        switch encoderName {
        case "libx264":
            av_opt_set(c.pointee.priv_data, "crf", String(settings.crf), 0)
            av_opt_set(c.pointee.priv_data, "preset", settings.preset, 0)
        case "mpeg4":
            c.pointee.flags |= Int32(AV_CODEC_FLAG_QSCALE)
            c.pointee.global_quality = Int32(FF_QP2LAMBDA) * Int32(settings.mpeg4Quantizer)
        default: break
        }
        try check(avcodec_open2(c, encoder, nil), "opening encoder \(encoderName)", path)
        try check(avcodec_parameters_from_context(s.pointee.codecpar, c), "copying codec parameters", path)
        s.pointee.time_base = c.pointee.time_base
        try check(avio_open(&format.pointee.pb, output.temporary.path, AVIO_FLAG_WRITE), "opening the output", path)
        var options: OpaquePointer? = nil
        if container == "mp4" { av_dict_set(&options, "movflags", "+faststart", 0) }
        let header = avformat_write_header(format, &options)
        av_dict_free(&options)
        try check(header, "writing the header", path)
        guard let f = av_frame_alloc(), let p = av_packet_alloc() else {
            throw MediaError.ffmpeg(path: path, step: "allocating a frame", message: "out of memory")
        }
        frame = f; packet = p
        f.pointee.format = pixelFormat.rawValue
        f.pointee.width = Int32(encodedWidth)
        f.pointee.height = Int32(encodedHeight)
        try check(av_frame_get_buffer(f, 0), "allocating frame buffers", path)
        scaler = sws_getContext(Int32(encodedWidth), Int32(encodedHeight), AV_PIX_FMT_RGB24, Int32(encodedWidth), Int32(encodedHeight),
                                pixelFormat, SWS_AREA | SWS_ACCURATE_RND, nil, nil, nil)
        guard scaler != nil else { throw MediaError.ffmpeg(path: path, step: "creating the RGB converter", message: "unsupported conversion") }
    }

    /// Encodes one RGB (or grey/RGBA, converted) frame of the writer's size.
    public func append(_ image: ByteImage) throws {
        guard state == .open else { throw MediaError.ffmpeg(path: url.path, step: "appending a frame", message: "the writer is closed") }
        guard image.width == width, image.height == height else {
            fail()
            throw MediaError.mismatchedFrames("frame \(frameIndex) is \(image.width)×\(image.height), the video is \(width)×\(height)")
        }
        do {
            fillRGB(from: image)
            guard let frame, let scaler else { return }
            try check(av_frame_make_writable(frame), "preparing a frame", url.path)
            convertRGB(rgb, width: encodedWidth, rows: encodedHeight, into: frame, scaler: scaler)
            frame.pointee.pts = frameIndex
            frameIndex += 1
            try encode(frame)
        } catch {
            fail()
            throw error
        }
    }

    /// Flushes the encoder, writes the trailer and moves the file into place.
    public func finish() throws {
        guard state == .open else { throw MediaError.ffmpeg(path: url.path, step: "finishing", message: "the writer is closed") }
        do {
            guard frameIndex > 0 else { throw MediaError.noFrames(path: url.path) }
            try encode(nil)
            try check(av_write_trailer(format), "writing the trailer", url.path)
            try check(avio_closep(&format!.pointee.pb), "closing the output", url.path)
            release()
            try output.commitMedia()
            state = .finished
        } catch {
            fail()
            throw error
        }
    }

    deinit {
        if state == .open { fail() }
    }

    /// Sends a frame (nil flushes) and writes every packet the encoder has ready.
    private func encode(_ frame: UnsafeMutablePointer<AVFrame>?) throws {
        guard let codec, let packet, let stream, let format else { return }
        try check(avcodec_send_frame(codec, frame), "encoding", url.path)
        while true {
            let r = avcodec_receive_packet(codec, packet)
            if r == cffmpeg_eagain() || r == cffmpeg_eof() { return }
            try check(r, "encoding", url.path)
            // Without a duration the last sample ends where it starts, and the MP4 edit list then
            // drops it (16 frames in, 15 played back).
            if packet.pointee.duration == 0 { packet.pointee.duration = 1 }
            av_packet_rescale_ts(packet, codec.pointee.time_base, stream.pointee.time_base)
            packet.pointee.stream_index = stream.pointee.index
            let w = av_interleaved_write_frame(format, packet)   // takes ownership of the packet's data
            try check(w, "writing a packet", url.path)
        }
    }

    /// Copies the frame into the padded RGB24 buffer, repeating the last column/row into padding.
    private func fillRGB(from image: ByteImage) {
        let c = image.channels, ew = encodedWidth
        rgb.withUnsafeMutableBufferPointer { dst in image.pixels.withUnsafeBufferPointer { src in
            for y in 0..<encodedHeight {
                let sy = min(y, height - 1)
                for x in 0..<ew {
                    let s = (sy * width + min(x, width - 1)) * c, d = (y * ew + x) * 3
                    if c >= 3 { dst[d] = src[s]; dst[d + 1] = src[s + 1]; dst[d + 2] = src[s + 2] } else {
                        dst[d] = src[s]; dst[d + 1] = src[s]; dst[d + 2] = src[s]
                    }
                }
            }
        } }
    }

    private func fail() {
        if let format, format.pointee.pb != nil { avio_closep(&format.pointee.pb) }
        release()
        output.discard()
        state = .failed
    }

    /// Frees every FFmpeg object this writer holds (safe to call twice).
    private func release() {
        if let s = scaler { sws_freeContext(s); scaler = nil }
        av_frame_free(&frame)
        av_packet_free(&packet)
        avcodec_free_context(&codec)
        if let f = format {
            if f.pointee.pb != nil { avio_closep(&f.pointee.pb) }
            avformat_free_context(f)
            format = nil
        }
        stream = nil
    }
}
