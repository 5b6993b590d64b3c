import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writes a TensorBoard event file (`events.out.tfevents.<unix seconds>.<hostname>`) by hand:
/// TFRecord framing around `Event` protos. Every call appends and hands its bytes to the kernel,
/// so `tensorboard --logdir` shows the curves while the run goes on.
public final class TensorBoardEventWriter {
    /// The event file this writer appends to.
    public let url: URL
    private let file: AppendOnlyFile
    private let clock: () -> Double

    /// Starts a new event file in `folder`. When a run resumes from its checkpoint at step `step`,
    /// the file starts with a SessionLog START at `step + 1`: TensorBoard then drops the events
    /// the killed run wrote after that checkpoint, and the curve continues without a fold.
    public init(folder: URL, resumingAt step: Int? = nil, hostname: String = TensorBoardEventWriter.hostname(),
                clock: @escaping () -> Double = { Date().timeIntervalSince1970 }) throws {
        self.clock = clock
        let now = clock()
        let base = folder.appendingPathComponent("events.out.tfevents.\(Int(now)).\(hostname)").path
        // A resume within the same second must not append to the killed run's file; a numeric
        // suffix sorts after it, which is the order TensorBoard reads files in.
        var candidate = base, suffix = 0
        var opened = try AppendOnlyFile.createNew(path: candidate)
        while opened == nil {
            suffix += 1
            candidate = "\(base).\(suffix)"
            opened = try AppendOnlyFile.createNew(path: candidate)
        }
        file = opened!
        url = URL(fileURLWithPath: candidate)
        var records = TFRecord.frame(TensorBoardEvent.fileVersion(wallTime: now))
        if let step { records += TFRecord.frame(TensorBoardEvent.sessionStart(wallTime: now, step: step + 1)) }
        try file.append(records)
    }

    /// One scalar per (tag, value) at `step`, in one event (TensorBoard stores them as float32).
    public func addScalars(step: Int, _ values: [(String, Double)]) throws {
        guard !values.isEmpty else { return }
        let event = TensorBoardEvent.scalars(wallTime: clock(), step: step, values.map { (tag: $0.0, value: Float($0.1)) })
        try file.append(TFRecord.frame(event))
    }

    /// A PNG shown in TensorBoard's Images tab under `tag`; its size and colour type come from its header.
    public func addImage(step: Int, tag: String, png: [UInt8]) throws {
        let header = try PNGHeader(png)
        let event = TensorBoardEvent.image(wallTime: clock(), step: step, tag: tag, width: header.width,
                                           height: header.height, colorspace: header.colorspace, encoded: png)
        try file.append(TFRecord.frame(event))
    }

    /// Flushes to disk and closes; later writes throw.
    public func close() {
        file.sync()
        file.close()
    }

    /// This machine's name, as TensorFlow puts it in event file names.
    public static func hostname() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self).replacingOccurrences(of: "/", with: "_")
        return name.isEmpty ? "localhost" : name
    }
}
