import Diffusion
import Foundation
import Testing
@testable import RunConfiguration

@Suite struct ConfigFileTests {
    func message(_ body: () throws -> Void) -> String {
        do { try body(); return "no error" } catch { return "\(error)" }
    }

    @Test func overridesApplyAndAreCheckedLikeTheFile() throws {
        let file = try ConfigFile(text: "train:\n  lr: 0.001\n", source: "c.yaml", overrides: ["train.lr=3e-4", "model.heads=2"])
        #expect(try file.read { try TrainingConfiguration.parse(root: $0, source: $1) }.learningRate == 3e-4)
        #expect(try file.model().unet.heads == 2)
        let unknown = message { _ = try ConfigFile(text: "", source: "c.yaml", overrides: ["train.lrr=1"]).read { try TrainingConfiguration.parse(root: $0, source: $1) } }
        #expect(unknown.hasPrefix("override train.lrr=1: train.lrr: unknown key"))
        let typed = message { _ = try ConfigFile(text: "", source: "c.yaml", overrides: ["train.batch=big"]).read { try TrainingConfiguration.parse(root: $0, source: $1) } }
        #expect(typed.contains("train.batch: expected an integer"))
        #expect(message { _ = try ConfigFile(text: "", source: "c.yaml", overrides: ["lr"]) }.contains("expected section.key=value"))
    }

    @Test func fileErrorsNameFileLineAndKey() {
        let text = "train:\n  batch: 32\n  stepz: 10\n"
        let m = message { _ = try ConfigFile(text: text, source: "c.yaml").read { try TrainingConfiguration.parse(root: $0, source: $1) } }
        #expect(m.hasPrefix("c.yaml:3: train.stepz: unknown key"))
        let range = message { _ = try ConfigFile(text: "train:\n  cond_drop: 1.5\n", source: "c.yaml").read { try TrainingConfiguration.parse(root: $0, source: $1) } }
        #expect(range.hasPrefix("c.yaml:2: train.cond_drop: must lie in"))
        let encoder = message { _ = try ConfigFile(text: "train:\n  encoder: thawed\n", source: "c.yaml").read { try TrainingConfiguration.parse(root: $0, source: $1) } }
        #expect(encoder.contains("expected one of frozen, finetune, scratch"))
    }

    @Test func resolvedConfigReadsBackToTheSameValues() throws {
        var train = TrainingConfiguration(); train.learningRate = 2.5e-4; train.encoder = .frozen; train.steps = 123
        var data = DataConfiguration(); data.size = 48; data.curriculumSteps = 900
        var model = ModelConfiguration.shapes32; model.unet.heads = 2
        for text in [configurationYAML([model.section, train.section, data.section]), configurationJSON([model.section, train.section, data.section])] {
            let file = try ConfigFile(text: text, source: "resolved")
            #expect(try file.model() == model)
            #expect(try file.read { try TrainingConfiguration.parse(root: $0, source: $1) } == train)
            #expect(try file.read { try DataConfiguration.parse(root: $0, source: $1) } == data)
        }
    }

    /// 2…4 objects over 900 steps: three equal stages capped at 2, 3 and 4 objects, then the full range.
    @Test func curriculumRaisesTheObjectCapInEqualStages() throws {
        var data = DataConfiguration(); data.minObjects = 2; data.maxObjects = 4; data.curriculumSteps = 900
        #expect([0, 299, 300, 599, 600, 899, 900, 5000].map { data.maxObjects(atStep: $0) } == [2, 2, 3, 3, 4, 4, 4, 4])
        data.curriculumSteps = 0
        #expect(data.maxObjects(atStep: 0) == 4)
        let negative = message { _ = try ConfigFile(text: "data:\n  curriculum_steps: -5\n", source: "c.yaml").read { try DataConfiguration.parse(root: $0, source: $1) } }
        #expect(negative.hasPrefix("c.yaml:2: data.curriculum_steps: must not be negative"))
        let seed = message { _ = try ConfigFile(text: "data:\n  eval_seed: -1\n", source: "c.yaml").read { try DataConfiguration.parse(root: $0, source: $1) } }
        #expect(seed.hasPrefix("c.yaml:2: data.eval_seed: must not be negative"))
    }

    @Test func numbersArePlainDecimalsOnly() throws {
        #expect(try ConfigFile(text: "train:\n  lr: 3e-4\n", source: "c").read { try TrainingConfiguration.parse(root: $0, source: $1) }.learningRate == 3e-4)
        for bad in ["1:30", ".inf", "\"0.1\"", "lots"] {
            do {
                _ = try ConfigFile(text: "train:\n  lr: \(bad)\n", source: "c").read { try TrainingConfiguration.parse(root: $0, source: $1) }
                Issue.record("lr: \(bad) was accepted")
            } catch { #expect("\(error)".hasPrefix("c:2: train.lr: expected a number"), "\(error)") }
        }
    }
}
