import Testing
import Tensors
import NN

@Suite struct AdamWStateTests {
    func parameter(_ values: [Float], _ shape: [Int]) -> Tensor {
        Tensor(shape: shape, scalars: values, requiresGrad: true)
    }

    /// Two optimizers stepped with fixed gradients; returns the first and its parameters.
    func stepped(order: [String]) -> (AdamW, [String: Tensor]) {
        let all: [String: Tensor] = ["w": parameter([1, 2, 3, 4], [2, 2]), "b": parameter([0.5], [1])]
        let optimizer = AdamW(namedParameters: order.map { ($0, all[$0]!) }, learningRate: 0.1)
        all["w"]!.grad = Tensor(shape: [2, 2], scalars: [0.1, -0.2, 0.3, -0.4])
        all["b"]!.grad = Tensor(shape: [1], scalars: [1])
        optimizer.update(); optimizer.update()
        return (optimizer, all)
    }

    @Test func stateDictNamesMomentsAndStep() {
        let (optimizer, _) = stepped(order: ["w", "b"])
        let state = optimizer.stateDict()
        #expect(Set(state.keys) == ["optimizer.step", "optimizer.m.w", "optimizer.v.w", "optimizer.m.b", "optimizer.v.b"])
        #expect(state["optimizer.step"] == SafeTensor(shape: [1], data: .i64([2])))
        #expect(state["optimizer.m.w"]?.shape == [2, 2] && state["optimizer.v.b"]?.shape == [1])
    }

    /// Restored into an optimizer that lists the parameters in another order, the next update
    /// is bit for bit the original's.
    @Test func restoresByNameWhateverTheOrder() throws {
        let (original, params) = stepped(order: ["w", "b"])
        let copies = params.mapValues { parameter($0.scalars, $0.shape) }
        let moved = AdamW(namedParameters: [("b", copies["b"]!), ("w", copies["w"]!)], learningRate: 0.1)
        try moved.loadState(original.stateDict(), source: "test")
        #expect(moved.step == 2)
        for (name, p) in params { copies[name]!.grad = p.grad }
        original.update(); moved.update()
        #expect(copies["w"]!.scalars == params["w"]!.scalars)
        #expect(copies["b"]!.scalars == params["b"]!.scalars)
        // A fresh optimizer (zero moments, step 0) would have moved them differently.
        let fresh = params.mapValues { parameter($0.scalars, $0.shape) }
        let (_, again) = stepped(order: ["w", "b"])
        let freshOptimizer = AdamW(namedParameters: [("w", fresh["w"]!), ("b", fresh["b"]!)], learningRate: 0.1)
        for (name, p) in again { fresh[name]!.grad = p.grad }
        freshOptimizer.update()
        #expect(fresh["w"]!.scalars != params["w"]!.scalars)
    }

    @Test func reportsEveryMismatchAtOnceAndChangesNothing() {
        let (optimizer, _) = stepped(order: ["w", "b"])
        var state = optimizer.stateDict()
        let before = state
        state["optimizer.m.w"] = SafeTensor(shape: [4], data: .f32([0, 0, 0, 0]))
        state["optimizer.v.b"] = nil
        state["optimizer.m.extra"] = SafeTensor(shape: [1], data: .f32([0]))
        state["optimizer.step"] = SafeTensor(shape: [1], data: .f32([3]))
        state["other.key"] = SafeTensor(shape: [1], data: .f32([0]))
        do {
            try optimizer.loadState(state, source: "ckpt.safetensors")
            Issue.record("a mismatched state loaded")
        } catch let error as ParameterLoadError {
            #expect(error.missing == ["optimizer.v.b"])
            #expect(error.unexpected == ["optimizer.m.extra"])
            #expect(error.misshapen.map(\.0) == ["optimizer.m.w"])
            #expect(error.misshapen.first?.1 == [2, 2] && error.misshapen.first?.2 == [4])
            #expect(error.invalid == ["optimizer.step must be one non-negative I64"])
            #expect(error.description.hasPrefix("ckpt.safetensors: "))
        } catch {
            Issue.record("unexpected error \(error)")
        }
        #expect(optimizer.stateDict() == before)
        #expect(optimizer.step == 2)
    }

    @Test func decayExemptParametersAreNotDecayed() {
        let w = parameter([1, 1], [2]), b = parameter([1, 1], [2])
        let optimizer = AdamW(namedParameters: [("w", w), ("b", b)], learningRate: 0.1, weightDecay: 0.5,
                              decayExempt: { $0 == "b" })
        w.grad = Tensor.zeros([2]); b.grad = Tensor.zeros([2])
        optimizer.update()
        // Zero gradient: only decay moves a parameter, by the factor 1 − lr·λ.
        #expect(w.scalars == [0.95, 0.95])
        #expect(b.scalars == [1, 1])
    }

    @Test func positionalInitNamesByIndex() {
        let optimizer = AdamW(parameters: [parameter([1], [1]), parameter([2, 3], [2])])
        #expect(optimizer.names == ["0", "1"])
        #expect(optimizer.stateDict()["optimizer.m.1"]?.shape == [2])
    }
}
