import Foundation
import Output
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

    /// Starts a new event file in `folder`. Every file opens with a SessionLog START: TensorBoard's
    /// server takes a run's first START as its beginning and each later one as a restart that
    /// drops the events it has read with step ≥ the START's step. A run resumed from its
    /// checkpoint at `step` puts its START at `step + 1`, and also rewrites the event files already
    /// in `folder` without their events after `step`, so readers that ignore SessionLog (the Rust
    /// data server for images) show the same curves.
    public init(folder: URL, resumingAt step: Int? = nil, hostname: String = TensorBoardEventWriter.hostname(),
                clock: @escaping () -> Double = { Date().timeIntervalSince1970 }) throws {
        if let step { try Self.dropEvents(after: step, in: folder) }
        self.clock = clock
        let now = clock()
        (file, url) = try Self.createUnique(folder.appendingPathComponent("events.out.tfevents.\(Int(now)).\(hostname)").path)
        try file.append(TFRecord.frame(TensorBoardEvent.fileVersion(wallTime: now))
                        + TFRecord.frame(TensorBoardEvent.sessionStart(wallTime: now, step: step.map { $0 + 1 } ?? 0)))
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

    /// Creates `base`, or `base.1`, `base.2`, … if taken: a resume within the same second must not
    /// append to the killed run's file, and a suffix sorts after it (TensorBoard reads files in name order).
    private static func createUnique(_ base: String) throws -> (AppendOnlyFile, URL) {
        var candidate = base, suffix = 0
        while true {
            if let file = try AppendOnlyFile.createNew(path: candidate) { return (file, URL(fileURLWithPath: candidate)) }
            suffix += 1
            candidate = "\(base).\(suffix)"
        }
    }

    /// Rewrites (atomically) each event file in `folder` without its events after `step`, and
    /// without a torn or corrupt tail.
    static func dropEvents(after step: Int, in folder: URL) throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasPrefix("events.out.tfevents.") }
        for name in names.sorted() {
            let url = folder.appendingPathComponent(name)
            let bytes = Array(try Data(contentsOf: url))
            let kept = TFRecord.records(in: bytes).filter { (TensorBoardEvent.step(of: $0) ?? .max) <= step }
            let rewritten = kept.flatMap(TFRecord.frame)
            if rewritten != bytes { try AtomicFile.write(rewritten, to: url) }
        }
    }

    /// This machine's name, as TensorFlow puts it in event file names.
    public static func hostname() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self).replacingOccurrences(of: "/", with: "_")
        return name.isEmpty ? "localhost" : name
    }
}
