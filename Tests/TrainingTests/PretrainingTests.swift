import Foundation
import NN
import Testing
@testable import Training

@Suite struct PretrainingTests {
    static let config = TinyRun.config + """

    pretrain:
      batch: 4
      warmup: 2
      log_every: 1
      checkpoint_every: 3
      eval_every: 1000
      eval_pairs: 0
      image_encoder:
        width: 16
        depth: 1
        heads: 2
    """

    func message(_ body: () throws -> Void) -> String {
        do { try body(); return "no error" } catch { return "\(error)" }
    }

    /// Stopped after N steps and resumed: the same losses and encoder bit for bit.
    @Test func resumedRunEqualsUninterruptedRun() throws {
        let whole = TinyRun.folder("pre-whole"), parts = TinyRun.folder("pre-parts")
        let config = try TinyRun.configFile(near: whole, text: Self.config)
        defer { for u in [whole, parts, config] { try? FileManager.default.removeItem(at: u) } }
        let a = try PretrainingLaunch(config: config, out: whole, resume: false, loss: nil, overrides: ["pretrain.steps=7"]).prepare()
        #expect(try a.run.run() == .finished)
        let b = try PretrainingLaunch(config: config, out: parts, resume: false, loss: nil, overrides: ["pretrain.steps=7"]).prepare()
        b.run.stepLimit = 4
        #expect(try b.run.run() == .stopped(step: 4))
        let c = try PretrainingLaunch(config: nil, out: parts, resume: true, loss: nil, overrides: []).prepare()
        #expect(try c.run.run(resumedAt: c.resumedAt) == .finished)
        let lw = try TinyRun.losses(whole), lp = try TinyRun.losses(parts)
        #expect(lw.count == 7 && lp == lw)
        let ea = try SafeTensorsFile(contentsOf: whole.appendingPathComponent("encoder.safetensors"))
        let eb = try SafeTensorsFile(contentsOf: parts.appendingPathComponent("encoder.safetensors"))
        #expect(ea.tensors == eb.tensors)
        #expect(ea.tensors.keys.allSatisfy { $0.hasPrefix("encoder.") } && ea.tensors["encoder.obj_embed.weight"] != nil)
    }

    /// `--loss masked` turns the contrastive objective off (and the other way round).
    @Test func lossSelection() throws {
        let run = TinyRun.folder("pre-loss")
        let config = try TinyRun.configFile(near: run, text: Self.config)
        defer { for u in [run, config] { try? FileManager.default.removeItem(at: u) } }
        let masked = try PretrainingLaunch(config: config, out: run, resume: false, loss: .masked, overrides: ["pretrain.steps=2"]).prepare()
        #expect(masked.task.recipe.contrastiveWeight == 0 && masked.task.recipe.maskedWeight == 1)
        let values = try masked.task.trainStep()
        #expect(values.first { $0.0 == "contrastive" }?.1 == 0)
        #expect(values.first { $0.0 == "masked" }!.1 > 0)
        try FileManager.default.removeItem(at: run)
        let contrastive = try PretrainingLaunch(config: config, out: run, resume: false, loss: .contrastive, overrides: ["pretrain.steps=2"]).prepare()
        let c = try contrastive.task.trainStep()
        #expect(c.first { $0.0 == "masked" }?.1 == 0)
        #expect(c.first { $0.0 == "contrastive" }!.1 > 0)
    }

    @Test func badInputIsOneClearLine() throws {
        let run = TinyRun.folder("pre-bad")
        let text = Self.config + "\n  temperature: 3\n"
        let line = text.split(separator: "\n", omittingEmptySubsequences: false).firstIndex(of: "  temperature: 3")! + 1
        let config = try TinyRun.configFile(near: run, text: text)
        defer { for u in [run, config] { try? FileManager.default.removeItem(at: u) } }
        let unknown = message { _ = try PretrainingLaunch(config: config, out: run, resume: false, loss: nil, overrides: []).prepare() }
        #expect(unknown.contains(":\(line): pretrain.temperature: unknown key"), "\(unknown)")
        let good = try TinyRun.configFile(near: TinyRun.folder("pre-good"), text: Self.config)
        defer { try? FileManager.default.removeItem(at: good) }
        let typed = message { _ = try PretrainingLaunch(config: good, out: run, resume: false, loss: nil, overrides: ["pretrain.loss.masked=lots"]).prepare() }
        #expect(typed.contains("pretrain.loss.masked: expected a number"), "\(typed)")
        #expect(!FileManager.default.fileExists(atPath: run.path), "a failed launch left a run folder")
        let missing = message { _ = try PretrainingLaunch(config: nil, out: run, resume: true, loss: nil, overrides: []).prepare() }
        #expect(missing.contains("no run to resume here"), "\(missing)")
        let unwritable = URL(fileURLWithPath: "/proc/no-such-place/run")
        let m = message { _ = try PretrainingLaunch(config: good, out: unwritable, resume: false, loss: nil, overrides: []).prepare() }
        #expect(m.hasPrefix("/proc/no-such-place/run: cannot create the run folder"), "\(m)")
    }
}
