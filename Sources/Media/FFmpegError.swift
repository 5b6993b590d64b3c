import CFFmpeg

/// FFmpeg's text for an error code.
func ffmpegMessage(_ code: Int32) -> String {
    var buffer = [CChar](repeating: 0, count: 256)
    return buffer.withUnsafeMutableBufferPointer { b in
        String(cString: cffmpeg_error_string(code, b.baseAddress, b.count))
    }
}

/// Throws a MediaError naming the step when an FFmpeg call returned a negative code.
@discardableResult
func check(_ code: Int32, _ step: String, _ path: String) throws -> Int32 {
    if code < 0 { throw MediaError.ffmpeg(path: path, step: step, message: ffmpegMessage(code)) }
    return code
}

/// Which of the encoders this project can use are present in the linked FFmpeg.
public func availableVideoEncoders() -> [String] {
    ["libx264", "mpeg4", "gif"].filter { avcodec_find_encoder_by_name($0) != nil }
}

/// FFmpeg prints encoder statistics at info level; only its errors belong on our users' terminal.
let quietFFmpegLogging: Void = { av_log_set_level(AV_LOG_ERROR) }()
