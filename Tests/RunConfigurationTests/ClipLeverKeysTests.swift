import Diffusion
import Testing
@testable import RunConfiguration

/// The clip-training levers' keys (`train.noisy_timestep_share`, `train.x0_weight_max`, `data.changing_clip_share`).
@Suite struct ClipLeverKeysTests {
    @Test func theLeversAreReadCheckedAndWrittenOnlyWhenOn() throws {
        let text = "train:\n  noisy_timestep_share: 0.7\n  x0_weight_max: 20\ndata:\n  changing_clip_share: 0.8\n"
        let file = try ConfigFile(text: text, source: "c.yaml")
        let recipe = try file.read { try TrainingConfiguration.parse(root: $0, source: $1) }
        let data = try file.read { try DataConfiguration.parse(root: $0, source: $1) }
        #expect(recipe.noisyTimestepShare == 0.7 && recipe.x0WeightMax == 20 && data.changingClipShare == 0.8)
        #expect(configurationYAML([recipe.section, data.section]).contains("noisy_timestep_share: 0.7"))
        #expect(configurationYAML([recipe.section]).contains("x0_weight_max: 20.0"))
        let plain = try ConfigFile(text: "train:\n  steps: 5\n", source: "p.yaml")
        #expect(!configurationYAML([try plain.read { try TrainingConfiguration.parse(root: $0, source: $1) }.section]).contains("noisy"))
        #expect(!configurationYAML([try plain.read { try TrainingConfiguration.parse(root: $0, source: $1) }.section]).contains("x0_weight"))
        do {
            _ = try ConfigFile(text: "train:\n  noisy_timestep_share: 1.5\n", source: "b.yaml").read { try TrainingConfiguration.parse(root: $0, source: $1) }
            Issue.record("1.5 accepted")
        } catch { #expect("\(error)".contains("b.yaml:2: train.noisy_timestep_share")) }
        do {
            _ = try ConfigFile(text: "train:\n  x0_weight_max: -1\n", source: "n.yaml").read { try TrainingConfiguration.parse(root: $0, source: $1) }
            Issue.record("-1 accepted")
        } catch { #expect("\(error)".contains("n.yaml:2: train.x0_weight_max")) }
    }
}
