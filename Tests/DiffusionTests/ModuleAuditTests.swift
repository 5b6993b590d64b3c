import Diffusion
import GraphEncoder
import NN
import Testing
import Tensors

/// Finds stored modules and trainable tensors that a module does not list in `children` /
/// `localParameters`: such a layer would run in the forward pass but never train nor be saved.
enum ModuleAudit {
    /// One line per forgotten property, named by its dotted module path and property name.
    static func forgotten(in root: any Module, name: String) -> [String] {
        var problems: [String] = []
        var seen = Set<ObjectIdentifier>()
        func visit(_ module: any Module, _ path: String) {
            guard seen.insert(ObjectIdentifier(module)).inserted else { return }
            let children = module.children.map { ObjectIdentifier($0.1) }
            let parameters = module.localParameters.map { ObjectIdentifier($0.1) }
            var mirror: Mirror? = Mirror(reflecting: module)
            while let m = mirror {
                for child in m.children {
                    check(child.value, property: child.label ?? "?", in: path, children: children, parameters: parameters)
                }
                mirror = m.superclassMirror
            }
            for (childName, child) in module.children { visit(child, path + "." + childName) }
        }
        func check(_ value: Any, property: String, in path: String, children: [ObjectIdentifier], parameters: [ObjectIdentifier]) {
            if let module = value as? any Module {
                if !children.contains(ObjectIdentifier(module)) { problems.append("\(path).\(property): a \(type(of: module)) not in children") }
                return
            }
            if let tensor = value as? Tensor {
                if tensor.requiresGrad && !parameters.contains(ObjectIdentifier(tensor)) {
                    problems.append("\(path).\(property): a trainable tensor \(tensor.shape) not in localParameters")
                }
                return
            }
            let mirror = Mirror(reflecting: value)
            switch mirror.displayStyle {
            case .optional, .collection, .tuple, .struct:
                for (i, element) in mirror.children.enumerated() {
                    let label = mirror.displayStyle == .optional ? property : "\(property)[\(element.label ?? String(i))]"
                    check(element.value, property: label, in: path, children: children, parameters: parameters)
                }
            default:
                return
            }
        }
        visit(root, name)
        return problems
    }
}

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
