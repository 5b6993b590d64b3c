import CFFmpeg

/// Converts packed RGB rows (`width`·3 bytes each, `rows` of them) into `frame`'s planes with
/// `scaler` (an `SwsContext` made for that size and the frame's pixel format): the step every
/// FFmpeg encoder of the project (video, JPEG) takes before encoding a picture.
public func convertRGB(_ rgb: [UInt8], width: Int, rows: Int, into frame: UnsafeMutablePointer<AVFrame>, scaler: OpaquePointer) {
    let stride = [Int32(width * 3)]
    rgb.withUnsafeBufferPointer { src in
        var planes: [UnsafePointer<UInt8>?] = [src.baseAddress]
        withUnsafeMutablePointer(to: &frame.pointee.data) { data in
            withUnsafeMutablePointer(to: &frame.pointee.linesize) { lines in
                data.withMemoryRebound(to: UnsafeMutablePointer<UInt8>?.self, capacity: 8) { d in
                    lines.withMemoryRebound(to: Int32.self, capacity: 8) { l in
                        _ = sws_scale(scaler, &planes, stride, 0, Int32(rows), d, l)
                    }
                }
            }
        }
    }
}
