import Foundation
import Media
import Testing
@testable import Training

/// Writes the run that `scripts/check-tensorboard` reads with TensorBoard's own reader: a first
/// run logs steps 1–10 and is "killed"; a resume from its checkpoint at step 6 logs 7–12 with
/// other values. Runs only when TB_CHECK_DIR names the folder to write.
@Suite struct TensorBoardCheckFixture {
    static let folder = ProcessInfo.processInfo.environment["TB_CHECK_DIR"]

    @Test(.enabled(if: folder != nil)) func writeResumedRun() throws {
        let folder = URL(fileURLWithPath: Self.folder ?? "")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var image = try ByteImage(width: 24, height: 16, channels: 3, fill: 40)
        for x in 0..<12 { for y in 0..<16 { image[x, y, 0] = 220 } }

        let first = try MetricsLog(folder: folder, resumingAt: nil, clock: { 1_700_000_000 })
        for step in 1...10 {
            try first.log(step: step, [("train/loss", 1 / Double(step)), ("train/lr", 1e-3)])
            if step % 5 == 0 { try first.log(step: step, [("eval/relation_accuracy", 0.1 * Double(step))]) }
        }
        try first.logImage(step: 4, tag: "samples", png: try PNGCodec.encode(image))
        try first.logImage(step: 10, tag: "samples", png: try PNGCodec.encode(image.upscaled(by: 2)))
        first.close()

        let resumed = try MetricsLog(folder: folder, resumingAt: 6, clock: { 1_700_000_100 })
        for step in 7...12 {
            try resumed.log(step: step, [("train/loss", 100 + Double(step)), ("train/lr", 1e-3)])
            if step % 5 == 0 { try resumed.log(step: step, [("eval/relation_accuracy", 0.5)]) }
        }
        try resumed.logImage(step: 12, tag: "samples", png: try PNGCodec.encode(image.upscaled(by: 3)))
        resumed.close()
    }
}
