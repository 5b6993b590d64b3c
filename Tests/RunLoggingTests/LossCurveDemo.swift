import Foundation
import Media
import Testing
@testable import RunLogging

/// Writes loss-curve pictures for a person to look at into RUN_LOGGING_DEMO_DIR; skipped without it.
@Suite struct LossCurveDemo {
    static let folder = ProcessInfo.processInfo.environment["RUN_LOGGING_DEMO_DIR"]

    /// A loss falling from 1 toward 0.03 with multiplicative noise, from a fixed seed.
    static func noisyLoss(steps: Int) -> [(step: Int, value: Double)] {
        var state: UInt64 = 42
        func uniform() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53)
        }
        return (1...steps).map { s in
            let clean = 0.03 + 0.97 * exp(-Double(s) / 400)
            return (s, clean * exp(0.5 * (uniform() - 0.5) * 2))
        }
    }

    @Test(.enabled(if: folder != nil)) func writeDemoCurves() throws {
        let folder = URL(fileURLWithPath: Self.folder ?? "")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let loss = Self.noisyLoss(steps: 3000)
        let eval = stride(from: 250, through: 3000, by: 250).map { (step: $0, value: 0.9 * (1 - exp(-Double($0) / 900))) }
        try PNGCodec.write(LossCurvePlot.render([("train/loss", loss)], title: "pretrain · shapes32", logScale: true),
                           to: folder.appendingPathComponent("loss.png"))
        try PNGCodec.write(LossCurvePlot.render([("train/loss", loss), ("eval/relation_accuracy", eval)], title: "linear axis, two series"),
                           to: folder.appendingPathComponent("loss-linear.png"))
    }
}
