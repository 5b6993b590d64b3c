import Foundation
import NN
import Testing
@testable import Training

@Suite struct ResumeTests {
    /// Stopping after N steps (as Ctrl-C / SIGTERM does: checkpoint, return) and resuming gives the
    /// uninterrupted run's losses and weights bit for bit.
    @Test func resumedRunEqualsUninterruptedRun() throws {
        let whole = TinyRun.folder("whole"), parts = TinyRun.folder("parts")
        let config = try TinyRun.configFile(near: whole)
        defer { for u in [whole, parts, config] { try? FileManager.default.removeItem(at: u) } }

        let a = try DenoiserTrainingLaunch(config: config, encoder: nil, out: whole, resume: false, overrides: ["train.steps=8"]).prepare()
        #expect(try a.run.run() == .finished)

        let b = try DenoiserTrainingLaunch(config: config, encoder: nil, out: parts, resume: false, overrides: ["train.steps=8"]).prepare()
        b.run.stepLimit = 5
        #expect(try b.run.run() == .stopped(step: 5))
        let c = try DenoiserTrainingLaunch(config: nil, encoder: nil, out: parts, resume: true, overrides: []).prepare()
        #expect(c.resumedAt == 5)
        #expect(try c.run.run(resumedAt: c.resumedAt) == .finished)

        let wholeLosses = try TinyRun.losses(whole), partLosses = try TinyRun.losses(parts)
        #expect(wholeLosses.count == 8)
        #expect(partLosses == wholeLosses)
        let wa = try SafeTensorsFile(contentsOf: whole.appendingPathComponent("model.safetensors"))
        let wb = try SafeTensorsFile(contentsOf: parts.appendingPathComponent("model.safetensors"))
        #expect(wa.tensors == wb.tensors)
    }

    /// `--stop-at 5` of an 8-step schedule stops with a checkpoint at 5 and the learning rate of the
    /// 8-step schedule; resuming finishes the run exactly as if it had never stopped.
    @Test func stopAtKeepsTheScheduleAndResumesExactly() throws {
        let whole = TinyRun.folder("stopat-whole"), parts = TinyRun.folder("stopat-parts")
        let config = try TinyRun.configFile(near: whole)
        defer { for u in [whole, parts, config] { try? FileManager.default.removeItem(at: u) } }
        let a = try DenoiserTrainingLaunch(config: config, encoder: nil, out: whole, resume: false, overrides: ["train.steps=8"]).prepare()
        #expect(try a.run.run() == .finished)
        let b = try DenoiserTrainingLaunch(config: config, encoder: nil, out: parts, resume: false, overrides: ["train.steps=8"]).prepare()
        #expect(try b.run.stopping(at: 5).run() == .stopped(step: 5))
        #expect(FileManager.default.fileExists(atPath: parts.appendingPathComponent("checkpoints/step-00000005.safetensors").path))
        let again = try DenoiserTrainingLaunch(config: nil, encoder: nil, out: parts, resume: true, overrides: []).prepare()
        #expect(try again.run.stopping(at: 5).run(resumedAt: again.resumedAt) == .stopped(step: 5))
        let c = try DenoiserTrainingLaunch(config: nil, encoder: nil, out: parts, resume: true, overrides: []).prepare()
        #expect(try c.run.run(resumedAt: c.resumedAt) == .finished)
        #expect(try TinyRun.losses(parts) == TinyRun.losses(whole))
    }

    /// `train --resume --export`: the newest checkpoint's EMA weights become the model file, with
    /// the checkpoint's step and the whole schedule's recipe, and no step is trained.
    @Test func exportWritesTheCheckpointsEMAWeightsWithoutTraining() throws {
        let run = TinyRun.folder("export")
        let config = try TinyRun.configFile(near: run)
        defer { for u in [run, config] { try? FileManager.default.removeItem(at: u) } }
        let a = try DenoiserTrainingLaunch(config: config, encoder: nil, out: run, resume: false, overrides: ["train.steps=8"]).prepare()
        #expect(try a.run.stopping(at: 5).run() == .stopped(step: 5))
        let model = run.appendingPathComponent("model.safetensors")
        #expect(!FileManager.default.fileExists(atPath: model.path))
        let b = try DenoiserTrainingLaunch(config: nil, encoder: nil, out: run, resume: true, overrides: []).prepare()
        try b.run.export()
        #expect(try TinyRun.losses(run).count == 5)
        let file = try SafeTensorsFile(contentsOf: model)
        let checkpoint = try SafeTensorsFile(contentsOf: run.appendingPathComponent("checkpoints/step-00000005.safetensors"))
        #expect(file.metadata["steps"] == "5")
        #expect(file.metadata["recipe"]?.contains("\"steps\": 8") == true)
        #expect(!file.tensors.isEmpty)
        for (name, tensor) in file.tensors { #expect(checkpoint.tensors["ema." + name] == tensor, "\(name)") }
    }

    /// A run shortened (or extended) on resume keeps its new length: the next plain `--resume`
    /// ends at the new step count, and the config and the model's recipe say so.
    @Test func changedLengthOutlivesTheResumeThatChangedIt() throws {
        let run = TinyRun.folder("length")
        let config = try TinyRun.configFile(near: run)
        defer { for u in [run, config] { try? FileManager.default.removeItem(at: u) } }
        let a = try DenoiserTrainingLaunch(config: config, encoder: nil, out: run, resume: false, overrides: ["train.steps=8"]).prepare()
        #expect(try a.run.stopping(at: 3).run() == .stopped(step: 3))
        let b = try DenoiserTrainingLaunch(config: nil, encoder: nil, out: run, resume: true, overrides: ["train.steps=6"]).prepare()
        #expect(try b.run.stopping(at: 4).run(resumedAt: b.resumedAt) == .stopped(step: 4))
        let resolved = try String(contentsOf: RunFolder(run).resolvedConfig, encoding: .utf8)
        #expect(resolved.contains("  steps: 6\n"))
        #expect(!resolved.contains("  steps: 8\n"))
        let c = try DenoiserTrainingLaunch(config: nil, encoder: nil, out: run, resume: true, overrides: []).prepare()
        #expect(try c.run.run(resumedAt: c.resumedAt) == .finished)
        #expect(try TinyRun.losses(run).count == 6)
        let file = try SafeTensorsFile(contentsOf: run.appendingPathComponent("model.safetensors"))
        #expect(file.metadata["recipe"]?.contains("\"steps\": 6") == true)
    }

    @Test func resumeRefusesChangedRecipe() throws {
        let run = TinyRun.folder("recipe")
        let config = try TinyRun.configFile(near: run)
        defer { for u in [run, config] { try? FileManager.default.removeItem(at: u) } }
        let a = try DenoiserTrainingLaunch(config: config, encoder: nil, out: run, resume: false, overrides: ["train.steps=3"]).prepare()
        _ = try a.run.run()
        do {
            _ = try DenoiserTrainingLaunch(config: nil, encoder: nil, out: run, resume: true, overrides: ["train.lr=0.1"]).prepare()
            Issue.record("a changed learning rate was accepted on resume")
        } catch { #expect("\(error)".contains("only train.steps may change")) }
    }

    @Test func damagedOrMissingCheckpointIsOneClearError() throws {
        let run = TinyRun.folder("damaged")
        let config = try TinyRun.configFile(near: run)
        defer { for u in [run, config] { try? FileManager.default.removeItem(at: u) } }
        let a = try DenoiserTrainingLaunch(config: config, encoder: nil, out: run, resume: false, overrides: ["train.steps=3"]).prepare()
        _ = try a.run.run()
        let checkpoint = run.appendingPathComponent("checkpoints/step-00000003.safetensors")
        let bytes = try Data(contentsOf: checkpoint)
        try bytes.prefix(bytes.count / 2).write(to: checkpoint)
        do {
            _ = try DenoiserTrainingLaunch(config: nil, encoder: nil, out: run, resume: true, overrides: []).prepare()
            Issue.record("a truncated checkpoint was accepted")
        } catch { #expect("\(error)".contains("damaged checkpoint")) }
        try FileManager.default.removeItem(at: run.appendingPathComponent("checkpoints"))
        do {
            _ = try DenoiserTrainingLaunch(config: nil, encoder: nil, out: run, resume: true, overrides: []).prepare()
            Issue.record("resumed without a checkpoint")
        } catch { #expect("\(error)".contains("no checkpoint to resume from")) }
    }
}
