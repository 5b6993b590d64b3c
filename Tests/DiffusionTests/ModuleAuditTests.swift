import Diffusion
import GraphEncoder
import NN
import Testing
import Tensors

/// The audit runs at construction too (`SceneGraphDiffusion`, `PretrainingModel`), so a forgotten
/// layer stops the program where it is built; these tests check the audit itself and the models.
@Suite struct ModuleAuditTests {
    @Test func everyModuleAndTrainableTensorOfTheTinyModelIsListed() throws {
        let fixture = try ReferenceFixture()
        var rng = RandomGenerator(seed: 0)
        let model = SceneGraphDiffusion(fixture.configuration, rng: &rng)
        #expect(ModuleAudit.forgotten(in: model, name: "model") == [])
    }

    @Test func everyModuleOfTheGraphEncoderIsListed() {
        var rng = RandomGenerator(seed: 0)
        let encoder = GraphEncoder(GraphEncoderConfiguration(objectClasses: 5, predicateClasses: 3, dimension: 8, hidden: 16, layers: 2),
                                   rng: &rng)
        #expect(ModuleAudit.forgotten(in: encoder, name: "encoder") == [])
    }

    @Test func everyModuleOfThePretrainingModelIsListed() {
        var rng = RandomGenerator(seed: 0)
        let model = PretrainingModel(graph: GraphEncoderConfiguration(objectClasses: 5, predicateClasses: 3, dimension: 8, hidden: 16, layers: 1,
                                                                      globalDimension: 12),
                                     image: ImageEncoderConfiguration(imageSize: 8, patch: 4, width: 8, depth: 2, heads: 2, globalDimension: 12),
                                     rng: &rng)
        #expect(ModuleAudit.forgotten(in: model, name: "pretrain") == [])
    }

    /// The audit itself must catch what it is for.
    @Test func auditCatchesForgottenLayersAndTensors() {
        final class Leaky: Module {
            let kept: Linear, forgotten: Linear, optional: Linear?, listed: [Linear]
            let scale = Tensor(shape: [1], scalars: [1], requiresGrad: true)
            let constant = Tensor(shape: [1], scalars: [2])
            init(rng: inout RandomGenerator) {
                kept = Linear(2, 2, rng: &rng); forgotten = Linear(2, 2, rng: &rng); optional = Linear(2, 2, rng: &rng)
                listed = [Linear(2, 2, rng: &rng), Linear(2, 2, rng: &rng)]
            }
            var children: [(String, any Module)] { [("kept", kept), ("listed.0", listed[0])] }
        }
        var rng = RandomGenerator(seed: 0)
        #expect(ModuleAudit.forgotten(in: Leaky(rng: &rng), name: "m") == [
            "m.forgotten: a Linear not in children",
            "m.optional: a Linear not in children",
            "m.listed[1]: a Linear not in children",
            "m.scale: a trainable tensor [1] not in localParameters",
        ])
    }
}
