import Foundation
import NN
import ShapeWorld
import Tensors
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

    /// Several flipped copies of a chosen graph each flip a different relation (as many as it has,
    /// at most `hard_negative_copies`), and a copy differs from its graph in exactly one predicate.
    @Test func hardNegativeCopiesFlipDifferentRelations() throws {
        let run = TinyRun.folder("pre-copies")
        let config = try TinyRun.configFile(near: run, text: Self.config)
        defer { for u in [run, config] { try? FileManager.default.removeItem(at: u) } }
        let launch = try PretrainingLaunch(config: config, out: run, resume: false, loss: nil,
                                           overrides: ["pretrain.hard_negative_share=1", "pretrain.hard_negative_copies=3"]).prepare()
        var renderer = ShapeWorldRenderer(size: 16, minObjects: 3, maxObjects: 4)
        let graphs = (0..<40).map { renderer.scene(seed: 77, index: $0).graph }
        let swaps = launch.task.relationSwaps(graphs)
        var sawSeveral = false
        for (i, g) in graphs.enumerated() {
            let copies = swaps.filter { $0.index == i }.map(\.graph)
            #expect(copies.count == min(3, g.flippableRelationships.count))
            sawSeveral = sawSeveral || copies.count > 1
            var flipped: [Int] = []
            for copy in copies {
                let changed = g.relationships.indices.filter { g.relationships[$0].predicate != copy.relationships[$0].predicate }
                #expect(changed.count == 1)
                flipped += changed
            }
            #expect(Set(flipped).count == flipped.count, "two copies of graph \(i) flip the same relation")
        }
        #expect(sawSeveral)
    }

    /// The masked objective's normalised target: zero mean and unit variance over each token.
    @Test func normalizedMaskedTarget() throws {
        let run = TinyRun.folder("pre-target")
        let config = try TinyRun.configFile(near: run, text: Self.config)
        defer { for u in [run, config] { try? FileManager.default.removeItem(at: u) } }
        let launch = try PretrainingLaunch(config: config, out: run, resume: false, loss: nil, overrides: []).prepare()
        #expect(launch.task.recipe.maskedTarget == "normalized")
        let x = Tensor(shape: [1, 2, 4], scalars: [1, 2, 3, 4, -10, 0, 10, 40])
        let y = launch.task.normalizedTokens(x).scalars
        for row in 0..<2 {
            let r = Array(y[(row * 4)..<(row * 4 + 4)]).map(Double.init)
            let mean = r.reduce(0, +) / 4, variance = r.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 4
            #expect(abs(mean) < 1e-6 && abs(variance - 1) < 1e-4, "row \(row): mean \(mean), variance \(variance)")
        }
        #expect(abs(Double(y[0]) - (1 - 2.5) / (1.25 + 1e-5).squareRoot()) < 1e-5)
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
