import Foundation
import NN
import Testing
@testable import Diffusion
@testable import Training

/// `train --init MODEL`: an image run that continues a model file's weights with a fresh optimizer.
@Suite struct WarmStartTests {
    @Test func initStartsFromTheModelFilesWeights() throws {
        let first = TinyRun.folder("init-first"), second = TinyRun.folder("init-second")
        let config = try TinyRun.configFile(near: first)
        defer { for u in [first, second, config] { try? FileManager.default.removeItem(at: u) } }
        let a = try DenoiserTrainingLaunch(config: config, encoder: nil, out: first, resume: false, overrides: ["train.steps=3"]).prepare()
        #expect(try a.run.run() == .finished)
        let modelFile = first.appendingPathComponent("model.safetensors")
        let saved = try SafeTensorsFile(contentsOf: modelFile)

        let b = try DenoiserTrainingLaunch(config: config, encoder: nil, initialWeights: modelFile, out: second, resume: false,
                                           overrides: ["train.steps=2", "train.encoder=frozen"]).prepare()
        // Every parameter (encoder included) starts as the file's; a fresh model would differ.
        let names = b.task.model.namedParameters()
        #expect(!names.isEmpty)
        for (name, p) in names { #expect(try saved.floats(name).values == p.scalars, "\(name)") }
        #expect(names.filter { $0.0.hasPrefix("encoder.") }.allSatisfy { !$0.1.requiresGrad })
        #expect(try b.run.run() == .finished)
    }

    @Test func provenanceNamesTheStartingFileAcrossAResume() throws {
        let first = TinyRun.folder("init-lineage-first"), second = TinyRun.folder("init-lineage-second")
        let config = try TinyRun.configFile(near: first)
        defer { for u in [first, second, config] { try? FileManager.default.removeItem(at: u) } }
        let a = try DenoiserTrainingLaunch(config: config, encoder: nil, out: first, resume: false, overrides: ["train.steps=3"]).prepare()
        #expect(try a.run.run() == .finished)
        let modelFile = first.appendingPathComponent("model.safetensors")
        let firstProvenance = try #require(try SafeTensorsFile(contentsOf: modelFile).metadata["provenance"])
        #expect(!firstProvenance.contains("continued from"), "\(firstProvenance)")

        // Given as a path relative to a folder (as `train --init weights/…` is to the working one),
        // the file is named that way: provenance keeps no machine's absolute folders.
        let relative = TinyRun.relative("model.safetensors", in: first)
        let b = try DenoiserTrainingLaunch(config: config, encoder: nil, initialWeights: relative, out: second, resume: false,
                                           overrides: ["train.steps=4", "train.encoder=finetune"]).prepare()
        b.run.stepLimit = 2
        #expect(try b.run.run() == .stopped(step: 2))
        // The resumed process is given no --init: the checkpoint alone carries where the weights came from.
        let c = try DenoiserTrainingLaunch(config: nil, encoder: nil, out: second, resume: true, overrides: []).prepare()
        #expect(try c.run.run(resumedAt: c.resumedAt) == .finished)
        let provenance = try #require(try SafeTensorsFile(contentsOf: second.appendingPathComponent("model.safetensors")).metadata["provenance"])
        #expect(provenance == "trained with this project's `train` on ShapeWorld, 4 steps; EMA weights; continued from model.safetensors (\(firstProvenance))",
                "\(provenance)")
    }

    @Test func initRefusesScratchAnEncoderAndResume() throws {
        let first = TinyRun.folder("init-bad"), other = TinyRun.folder("init-bad-2")
        let config = try TinyRun.configFile(near: first)
        defer { for u in [first, other, config] { try? FileManager.default.removeItem(at: u) } }
        let a = try DenoiserTrainingLaunch(config: config, encoder: nil, out: first, resume: false, overrides: ["train.steps=1"]).prepare()
        _ = try a.run.run()
        let modelFile = first.appendingPathComponent("model.safetensors")
        func message(_ body: () throws -> Void) -> String { do { try body(); return "no error" } catch { return "\(error)" } }
        let scratch = message { _ = try DenoiserTrainingLaunch(config: config, encoder: nil, initialWeights: modelFile, out: other, resume: false,
                                                              overrides: ["train.encoder=scratch"]).prepare() }
        #expect(scratch.contains("train.encoder") && scratch.contains("not scratch"), "\(scratch)")
        try? FileManager.default.removeItem(at: other)
        let both = message { _ = try DenoiserTrainingLaunch(config: config, encoder: modelFile, initialWeights: modelFile, out: other, resume: false,
                                                           overrides: ["train.encoder=finetune"]).prepare() }
        #expect(both.contains("--encoder") && both.contains("already holds the encoder"), "\(both)")
        let resumed = message { _ = try DenoiserTrainingLaunch(config: nil, encoder: nil, initialWeights: modelFile, out: first, resume: true,
                                                              overrides: []).prepare() }
        #expect(resumed.contains("--init") && resumed.contains("keeps its weights"), "\(resumed)")
        try? FileManager.default.removeItem(at: other)
        let wide = message { _ = try DenoiserTrainingLaunch(config: config, encoder: nil, initialWeights: modelFile, out: other, resume: false,
                                                           overrides: ["train.encoder=finetune", "model.channels=32"]).prepare() }
        #expect(wide.contains("model.channels"), "\(wide)")
    }
}
