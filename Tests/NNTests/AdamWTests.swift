import Foundation
import Testing
import Tensors
@testable import NN

@Suite struct AdamWTests {
    /// Largest |a − b| / max|b| over one tensor.
    func relativeError(_ a: [Float], _ b: [Float]) -> Float {
        let scale = b.reduce(0) { max($0, abs($1)) }
        return zip(a, b).reduce(0) { max($0, abs($1.0 - $1.1)) } / max(scale, 1e-12)
    }

    @Test func reproducesTorchAdamWOnFixedGradients() throws {
        let file = try SafeTensorsFile(contentsOf: fixturesFolder.appendingPathComponent("adamw_fixed.safetensors"))
        let names = ["a", "b"]
        let params = try names.map { name -> Tensor in
            let (shape, values) = try file.floats("param.\(name)")
            return Tensor(shape: shape, scalars: values, requiresGrad: true)
        }
        let grads = try names.map { try file.floats("grad.\($0)") }
        // Settings from the fixture's metadata: lr=1e-2 betas=(0.9,0.999) eps=1e-8 weight_decay=0.1.
        #expect(file.metadata["optimizer"]?.contains("lr=1e-2") == true)
        let optimizer = AdamW(parameters: params, learningRate: 1e-2, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.1)
        for step in 1...2 {
            for (p, g) in zip(params, grads) { p.grad = Tensor(shape: g.shape, scalars: g.values) }
            optimizer.update()
            for (name, p) in zip(names, params) {
                let expected = try file.floats("step\(step).\(name)").values
                let error = relativeError(p.scalars, expected)
                #expect(error < 1e-6, "step \(step) \(name): relative error \(error)")
            }
        }
    }

    @Test func skipsParametersWithoutGradient() {
        let p = Tensor(shape: [2], scalars: [1, 2], requiresGrad: true)
        let optimizer = AdamW(parameters: [p], learningRate: 0.1, weightDecay: 0.5)
        optimizer.update()
        #expect(p.scalars == [1, 2])
    }
}
