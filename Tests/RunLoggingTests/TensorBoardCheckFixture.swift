import Foundation
import Media
import Testing
@testable import RunLogging

/// Writes the run that `scripts/check-tensorboard` reads with TensorBoard's own code, in two
/// phases so a reader can load the first before the second exists: phase 1 logs steps 1–10 and
/// is "killed"; phase 2 resumes from the checkpoint at step 6 and logs 7–12 with other values
/// (and the sample sheets of steps 10 and 12).
/// Runs only when TB_CHECK_DIR names the folder and TB_CHECK_PHASE the phase.
@Suite struct TensorBoardCheckFixture {
    static let environment = ProcessInfo.processInfo.environment
    static let folder = URL(fileURLWithPath: environment["TB_CHECK_DIR"] ?? "/nonexistent")

    static func sheet(_ step: Int) throws -> [UInt8] {
        let sample = try ByteImage(width: 8, height: 8, channels: 3, fill: 40)
        return try PNGCodec.encode(SampleSheet.render(title: "step \(step) · DDIM-50 · guidance 3",
                                                      items: [(sample, ["red circle left of blue square"])], columns: 1, scale: 4))
    }

    @Test(.enabled(if: environment["TB_CHECK_PHASE"] == "1")) func killedRun() throws {
        try FileManager.default.createDirectory(at: Self.folder, withIntermediateDirectories: true)
        let log = try MetricsLog(folder: Self.folder, resumingAt: nil, clock: { 1_700_000_000 })
        for step in 1...10 {
            try log.log(step: step, [("train/loss", 1 / Double(step)), ("train/lr", 1e-3)])
            if step % 5 == 0 { try log.log(step: step, [("eval/relation_accuracy", 0.1 * Double(step))]) }
        }
        try log.logImage(step: 4, tag: "samples", png: try Self.sheet(4))
        try log.logImage(step: 10, tag: "samples", png: try Self.sheet(10))
        log.close()
    }

    @Test(.enabled(if: environment["TB_CHECK_PHASE"] == "2")) func resumedRun() throws {
        let log = try MetricsLog(folder: Self.folder, resumingAt: 6, clock: { 1_700_000_100 })
        for step in 7...12 {
            try log.log(step: step, [("train/loss", 100 + Double(step)), ("train/lr", 1e-3)])
            if step % 5 == 0 { try log.log(step: step, [("eval/relation_accuracy", 0.5)]) }
        }
        // As a real resume does, the sheet of step 10 is made again (from the same checkpoint).
        try log.logImage(step: 10, tag: "samples", png: try Self.sheet(10))
        try log.logImage(step: 12, tag: "samples", png: try Self.sheet(12))
        let curve = try MetricsHistory.series(in: log.metricsURL, names: ["train/loss"])
        try log.logImage(step: 12, tag: "loss", png: try PNGCodec.encode(LossCurvePlot.render(curve, logScale: true)))
        log.close()
    }
}
