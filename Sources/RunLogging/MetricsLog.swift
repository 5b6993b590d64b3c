import Diffusion
import Foundation
import Output


/// The metrics of one run, written twice: `metrics.jsonl` (one JSON object per call, for scripts)
/// and a TensorBoard event file (for `tensorboard --logdir runs/`). The training loops call this
/// and nothing else.
public final class MetricsLog {
    /// The JSON-lines file, `<folder>/metrics.jsonl`.
    public let metricsURL: URL
    /// The TensorBoard event file this run appends to.
    public var eventsURL: URL { events.url }
    private let lines: AppendOnlyFile
    private let events: TensorBoardEventWriter
    private let clock: () -> Double

    /// Starts logging in `folder`. A fresh run (`step` nil) starts `metrics.jsonl` empty; a run
    /// resumed from its checkpoint at `step` keeps only the lines with step ≤ `step` (what the
    /// killed run logged after its checkpoint will be logged again) and starts a new event file
    /// that tells TensorBoard to drop the same steps.
    public init(folder: URL, resumingAt step: Int?, clock: @escaping () -> Double = { Date().timeIntervalSince1970 }) throws {
        self.clock = clock
        metricsURL = folder.appendingPathComponent("metrics.jsonl")
        var kept: [UInt8] = []
        // An unreadable old file must stop the resume, not be replaced by an empty one.
        if let step, FileManager.default.fileExists(atPath: metricsURL.path) {
            kept = Self.lines(of: Array(try Data(contentsOf: metricsURL)), upTo: step)
        }
        // Atomic, so a crash here leaves the old file, never a half-filtered one.
        try AtomicFile.write(kept, to: metricsURL)
        lines = try AppendOnlyFile(path: metricsURL.path)
        events = try TensorBoardEventWriter(folder: folder, resumingAt: step, clock: clock)
    }

    /// Appends one line `{"step": S, "time": T, "<name>": value, ...}` (names in the given order;
    /// NaN and ±∞ as null) and one TensorBoard scalar per value, tagged by its name.
    public func log(step: Int, _ values: [(String, Double)]) throws {
        try lines.append(Array(Self.jsonLine(step: step, time: clock(), values).utf8))
        try events.addScalars(step: step, values)
    }

    /// Adds a PNG (a sample sheet, a loss curve) to TensorBoard's Images tab under `tag`.
    public func logImage(step: Int, tag: String, png: [UInt8]) throws {
        try events.addImage(step: step, tag: tag, png: png)
    }

    /// Flushes both files to disk and closes them.
    public func close() {
        lines.sync()
        lines.close()
        events.close()
    }

    static func jsonLine(step: Int, time: Double, _ values: [(String, Double)]) -> String {
        var line = "{\"step\": \(step), \"time\": \(String(format: "%.3f", time))"
        for (name, value) in values {
            line += ", \(jsonQuoted(name)): \(value.isFinite ? "\(value)" : "null")"
        }
        return line + "}\n"
    }

    /// The lines of a metrics file whose step is at most `step`; a torn last line (the process
    /// was killed mid-write) has no step and is dropped.
    static func lines(of file: [UInt8], upTo step: Int) -> [UInt8] {
        var kept: [UInt8] = []
        for line in file.split(separator: UInt8(ascii: "\n")) {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any],
                  let lineStep = (object["step"] as? NSNumber)?.intValue, lineStep <= step else { continue }
            kept += line
            kept.append(UInt8(ascii: "\n"))
        }
        return kept
    }
}
