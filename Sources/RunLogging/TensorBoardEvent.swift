/// Serialised `tensorflow.Event` protos (tensorboard/compat/proto/event.proto, summary.proto),
/// limited to what our runs write. Field numbers:
/// Event: wall_time 1 (double), step 2 (int64), file_version 3, summary 5, session_log 7;
/// Summary: value 1; Summary.Value: tag 1, simple_value 2 (float), image 4;
/// Summary.Image: height 1, width 2, colorspace 3, encoded_image_string 4;
/// SessionLog: status 1 (START = 1).
enum TensorBoardEvent {
    /// The first record of every file; TensorBoard only purges orphaned steps (SessionLog START)
    /// in files of version 2 or later.
    static func fileVersion(wallTime: Double) -> [UInt8] {
        event(wallTime: wallTime, step: 0) { $0.string(3, "brain.Event:2") }
    }

    /// One summary with a `simple_value` per (tag, value).
    static func scalars(wallTime: Double, step: Int, _ values: [(tag: String, value: Float)]) -> [UInt8] {
        event(wallTime: wallTime, step: step) { event in
            event.message(5) { summary in
                for (tag, value) in values {
                    summary.message(1) { v in
                        v.string(1, tag)
                        v.float(2, value)
                    }
                }
            }
        }
    }

    /// An image summary; `colorspace` is 1 grey, 2 grey + alpha, 3 RGB, 4 RGBA.
    static func image(wallTime: Double, step: Int, tag: String, width: Int, height: Int, colorspace: Int, encoded: [UInt8]) -> [UInt8] {
        event(wallTime: wallTime, step: step) { event in
            event.message(5) { summary in
                summary.message(1) { v in
                    v.string(1, tag)
                    v.message(4) { image in
                        image.int(1, Int64(height))
                        image.int(2, Int64(width))
                        image.int(3, Int64(colorspace))
                        image.bytes(4, encoded)
                    }
                }
            }
        }
    }

    /// SessionLog START: TensorBoard drops every event it has read with step ≥ `step` (a restart).
    static func sessionStart(wallTime: Double, step: Int) -> [UInt8] {
        event(wallTime: wallTime, step: step) { event in
            event.message(7) { $0.int(1, 1) }
        }
    }

    /// The step of a serialised Event (0 when absent, the proto3 default); nil if it does not parse.
    static func step(of event: [UInt8]) -> Int? {
        var at = 0, step: UInt64 = 0
        func varint() -> UInt64? {
            var value: UInt64 = 0, shift: UInt64 = 0
            while at < event.count, shift < 64 {
                let byte = event[at]
                at += 1
                value |= UInt64(byte & 0x7F) << shift
                if byte < 0x80 { return value }
                shift += 7
            }
            return nil
        }
        while at < event.count {
            guard let key = varint() else { return nil }
            switch key & 7 {
            case 0:
                guard let value = varint() else { return nil }
                if key >> 3 == 2 { step = value }
            case 1: at += 8
            case 2:
                guard let length = varint(), length <= UInt64(event.count) else { return nil }
                at += Int(length)
            case 5: at += 4
            default: return nil
            }
            guard at <= event.count else { return nil }
        }
        return Int(truncatingIfNeeded: Int64(bitPattern: step))
    }

    private static func event(wallTime: Double, step: Int, _ what: (inout ProtobufEncoder) -> Void) -> [UInt8] {
        var e = ProtobufEncoder()
        e.double(1, wallTime)
        // proto3 leaves default values out; TensorFlow's writer does the same for step 0.
        if step != 0 { e.int(2, Int64(step)) }
        what(&e)
        return e.bytes
    }
}
