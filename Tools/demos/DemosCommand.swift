import ArgumentParser
import Foundation
import Media
import RunLogging
import ShapeWorld

/// Files for a person (or another program) to look at — the font, a sample sheet, loss curves, a
/// killed-and-resumed run's event files — written by scripts (`scripts/run-pictures`,
/// `scripts/check-tensorboard`), not by the tests: they assert nothing themselves.
@main
struct DemosCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demos", abstract: "Write pictures and runs to inspect by eye or with TensorBoard.",
        subcommands: [Pictures.self, LossCurves.self, TensorBoardRun.self])
}

/// The bitmap font and a sample sheet of ShapeWorld scenes with captions.
struct Pictures: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "font.png and sheet.png")
    @Option(help: "Output folder (created).") var out: String

    func run() throws {
        let folder = URL(fileURLWithPath: out)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var font = try ByteImage(width: 600, height: 300, channels: 3, fill: 255)
        let ascii = String((32...126).map { Character(UnicodeScalar(UInt8($0))) })
        font.drawText(String(ascii.prefix(32)) + "\n" + String(ascii.dropFirst(32).prefix(32)) + "\n" + String(ascii.dropFirst(64))
                      + "\n· × – — → … ≤ ≥ γ ° ¿", x: 4, y: 4, color: .black, scale: 3)
        font.drawText("red circle left of blue square\nstep 2000 · DDIM-50 · guidance 3", x: 4, y: 150, color: PixelColor(40, 40, 40), scale: 2)
        font.drawText("jumpy quartz glyphs; 0.0123 train/loss_ema", x: 4, y: 200, color: PixelColor(200, 30, 30), scale: 1)
        try PNGCodec.write(font, to: folder.appendingPathComponent("font.png"))
        let renderer = ShapeWorldRenderer()
        let items = try (0..<6).map { i -> (image: ByteImage, caption: [String]) in
            let scene = renderer.scene(seed: 7, index: i)
            let g = scene.graph
            let image = try ByteImage(width: scene.size, height: scene.size, channels: 3, pixels: scene.pixels)
            return (image, [g.objects.joined(separator: ", ")] + g.relationships.map { "\(g.objects[$0.subject]) \($0.predicate) \(g.objects[$0.object])" })
        }
        try PNGCodec.write(SampleSheet.render(title: "step 2000 · DDIM-50 · guidance 3", items: items, columns: 3, scale: 4),
                           to: folder.appendingPathComponent("sheet.png"))
        print("font.png and sheet.png in \(out)")
    }
}

/// Loss curves on a log and a linear axis, from a noisy falling loss with a fixed seed.
struct LossCurves: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "loss-curves", abstract: "loss.png and loss-linear.png")
    @Option(help: "Output folder (created).") var out: String

    func run() throws {
        let folder = URL(fileURLWithPath: out)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var state: UInt64 = 42
        func uniform() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53)
        }
        let loss = (1...3000).map { s in (step: s, value: (0.03 + 0.97 * exp(-Double(s) / 400)) * exp(0.5 * (uniform() - 0.5) * 2)) }
        let eval = stride(from: 250, through: 3000, by: 250).map { (step: $0, value: 0.9 * (1 - exp(-Double($0) / 900))) }
        try PNGCodec.write(LossCurvePlot.render([("train/loss", loss)], title: "pretrain · shapes32", logScale: true),
                           to: folder.appendingPathComponent("loss.png"))
        try PNGCodec.write(LossCurvePlot.render([("train/loss", loss), ("eval/relation_accuracy", eval)], title: "linear axis, two series"),
                           to: folder.appendingPathComponent("loss-linear.png"))
        print("loss.png and loss-linear.png in \(out)")
    }
}

/// The run `scripts/check-tensorboard` reads with TensorBoard's own code, in two phases so a
/// reader can load the first before the second exists: phase 1 logs steps 1–10 and is "killed";
/// phase 2 resumes from the checkpoint at step 6 and logs 7–12 with other values (and the sample
/// sheets of steps 10 and 12, and a loss curve).
struct TensorBoardRun: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "tensorboard-run", abstract: "A killed and resumed run's event files.")
    @Option(help: "The run folder.") var dir: String
    @Option(help: "1: the killed run; 2: its resume.") var phase: Int

    func sheet(_ step: Int) throws -> [UInt8] {
        let sample = try ByteImage(width: 8, height: 8, channels: 3, fill: 40)
        return try PNGCodec.encode(SampleSheet.render(title: "step \(step) · DDIM-50 · guidance 3",
                                                      items: [(sample, ["red circle left of blue square"])], columns: 1, scale: 4))
    }

    func run() throws {
        let folder = URL(fileURLWithPath: dir)
        switch phase {
        case 1:
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let log = try MetricsLog(folder: folder, resumingAt: nil, clock: { 1_700_000_000 })
            for step in 1...10 {
                try log.log(step: step, [("train/loss", 1 / Double(step)), ("train/lr", 1e-3)])
                if step % 5 == 0 { try log.log(step: step, [("eval/relation_accuracy", 0.1 * Double(step))]) }
            }
            try log.logImage(step: 4, tag: "samples", png: try sheet(4))
            try log.logImage(step: 10, tag: "samples", png: try sheet(10))
            log.close()
        case 2:
            let log = try MetricsLog(folder: folder, resumingAt: 6, clock: { 1_700_000_100 })
            for step in 7...12 {
                try log.log(step: step, [("train/loss", 100 + Double(step)), ("train/lr", 1e-3)])
                if step % 5 == 0 { try log.log(step: step, [("eval/relation_accuracy", 0.5)]) }
            }
            // As a real resume does, the sheet of step 10 is made again (from the same checkpoint).
            try log.logImage(step: 10, tag: "samples", png: try sheet(10))
            try log.logImage(step: 12, tag: "samples", png: try sheet(12))
            let curve = try MetricsHistory.series(in: log.metricsURL, names: ["train/loss"])
            try log.logImage(step: 12, tag: "loss", png: try PNGCodec.encode(LossCurvePlot.render(curve, logScale: true)))
            log.close()
        default:
            throw ValidationError("--phase is 1 or 2")
        }
    }
}
