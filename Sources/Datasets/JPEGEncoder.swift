import CFFmpeg
import Foundation
import Media

/// RGB images to JPEG bytes with libavcodec's MJPEG encoder, full-range 4:4:4 (no chroma
/// subsampling: at 32 px, 4:2:0 would smear ShapeWorld's one-colour shapes into their neighbours).
/// One encoder serves one image size; not thread-safe (make one per thread).
public final class JPEGEncoder {
    public let width: Int, height: Int
    private var codec: UnsafeMutablePointer<AVCodecContext>?
    private var frame: UnsafeMutablePointer<AVFrame>?
    private var packet: UnsafeMutablePointer<AVPacket>?
    private var scaler: OpaquePointer?
    private var rgb: [UInt8]

    /// An encoder for `width`×`height` images at MJPEG quantiser `quality` (2 best … 31 worst).
    public init(width: Int, height: Int, quality: Int = 2) throws {
        guard width > 0, height > 0, (2...31).contains(quality) else {
            throw MediaError.invalidImage("JPEG encoder for \(width)×\(height) at quality \(quality) (2…31)")
        }
        self.width = width; self.height = height
        // swscale warns that yuvj444p is deprecated; the J formats are still how MJPEG is told its
        // samples are full range. Only errors belong on our users' terminal (as in Media).
        av_log_set_level(AV_LOG_ERROR)
        // swscale's SIMD loads may read past the last row: the padding FFmpeg's own buffers carry.
        rgb = [UInt8](repeating: 0, count: width * height * 3 + 64)
        guard let encoder = avcodec_find_encoder(AV_CODEC_ID_MJPEG) else {
            throw MediaError.codecUnavailable(wanted: "mjpeg", available: [])
        }
        guard let c = avcodec_alloc_context3(encoder), let f = av_frame_alloc(), let p = av_packet_alloc() else {
            throw MediaError.ffmpeg(path: "(jpeg)", step: "allocating the encoder", message: "out of memory")
        }
        codec = c; frame = f; packet = p
        c.pointee.width = Int32(width)
        c.pointee.height = Int32(height)
        c.pointee.pix_fmt = AV_PIX_FMT_YUVJ444P
        c.pointee.time_base = AVRational(num: 1, den: 25)
        c.pointee.flags |= Int32(AV_CODEC_FLAG_QSCALE)
        c.pointee.global_quality = Int32(FF_QP2LAMBDA) * Int32(quality)
        do {
            try check(avcodec_open2(c, encoder, nil), "opening the MJPEG encoder")
            f.pointee.format = AV_PIX_FMT_YUVJ444P.rawValue
            f.pointee.width = Int32(width)
            f.pointee.height = Int32(height)
            f.pointee.quality = c.pointee.global_quality
            try check(av_frame_get_buffer(f, 0), "allocating the frame")
            scaler = sws_getContext(Int32(width), Int32(height), AV_PIX_FMT_RGB24, Int32(width), Int32(height), AV_PIX_FMT_YUVJ444P,
                                    SWS_POINT | SWS_ACCURATE_RND, nil, nil, nil)
            guard scaler != nil else { throw MediaError.ffmpeg(path: "(jpeg)", step: "creating the converter", message: "unsupported conversion") }
        } catch {
            release()
            throw error
        }
    }

    deinit { release() }

    /// The JPEG file bytes of an RGB image of the encoder's size.
    public func encode(_ image: ByteImage) throws -> [UInt8] {
        guard image.width == width, image.height == height, image.channels == 3 else {
            throw MediaError.invalidImage("JPEG encoder for \(width)×\(height) RGB got \(image.width)×\(image.height)×\(image.channels)")
        }
        guard let codec, let frame, let packet, let scaler else { throw MediaError.ffmpeg(path: "(jpeg)", step: "encoding", message: "encoder closed") }
        rgb.withUnsafeMutableBufferPointer { dst in image.pixels.withUnsafeBufferPointer { src in
            dst.baseAddress!.update(from: src.baseAddress!, count: src.count)
        } }
        try check(av_frame_make_writable(frame), "preparing the frame")
        convertRGB(rgb, width: width, rows: height, into: frame, scaler: scaler)
        try check(avcodec_send_frame(codec, frame), "encoding")
        try check(avcodec_receive_packet(codec, packet), "encoding")
        defer { av_packet_unref(packet) }
        return Array(UnsafeBufferPointer(start: packet.pointee.data, count: Int(packet.pointee.size)))
    }

    private func check(_ code: Int32, _ step: String) throws {
        guard code < 0 else { return }
        var buffer = [CChar](repeating: 0, count: 256)
        let message = buffer.withUnsafeMutableBufferPointer { String(cString: cffmpeg_error_string(code, $0.baseAddress, $0.count)) }
        throw MediaError.ffmpeg(path: "(jpeg)", step: step, message: message)
    }

    private func release() {
        if let s = scaler { sws_freeContext(s); scaler = nil }
        av_frame_free(&frame)
        av_packet_free(&packet)
        avcodec_free_context(&codec)
    }
}
