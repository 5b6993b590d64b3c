/// One recorded op: its inputs and the pullback that maps the output's gradient to theirs.
/// The pullback returns one entry per input (nil where no gradient is needed).
final class GradNode {
    let inputs: [Tensor]
    let pullback: (Tensor) -> [Tensor?]

    init(inputs: [Tensor], pullback: @escaping (Tensor) -> [Tensor?]) {
        self.inputs = inputs
        self.pullback = pullback
    }
}

extension Tensor {
    /// Attaches a node to an op's result when any input wants gradients and grad mode is on.
    /// Every op calls this once, right after computing its output.
    @discardableResult
    func recording(_ inputs: [Tensor], _ pullback: @escaping (Tensor) -> [Tensor?]) -> Tensor {
        guard GradMode.isEnabled, inputs.contains(where: { $0.requiresGrad }) else { return self }
        requiresGrad = true
        node = GradNode(inputs: inputs, pullback: pullback)
        return self
    }

    /// Reverse-mode sweep from this scalar: accumulates `grad` on every leaf that requires it.
    /// Intermediate gradients are dropped as soon as they are consumed, and the recorded graph is
    /// released afterwards, so activations do not outlive the step.
    public func backward(_ seed: Tensor? = nil) {
        precondition(seed != nil || count == 1, "backward() without a seed needs a scalar, got \(shape)")
        GradMode.disabled { sweep(seed) }
    }

    private func sweep(_ seed: Tensor?) {
        let order = topologicalOrder()
        var grads: [ObjectIdentifier: Tensor] = [ObjectIdentifier(self): seed ?? Tensor.ones(shape)]
        for t in order.reversed() {
            guard let g = grads.removeValue(forKey: ObjectIdentifier(t)) else { continue }
            guard let node = t.node else {
                if t.requiresGrad { t.grad = t.grad.map { add($0, g) } ?? g }
                continue
            }
            let inputGrads = node.pullback(g)
            precondition(inputGrads.count == node.inputs.count, "pullback returned \(inputGrads.count) gradients for \(node.inputs.count) inputs")
            for (input, ig) in zip(node.inputs, inputGrads) {
                guard input.requiresGrad, let ig else { continue }
                precondition(ig.shape == input.shape, "gradient shape \(ig.shape) for input of shape \(input.shape)")
                let key = ObjectIdentifier(input)
                // Out of place: a pullback may hand the same tensor to several inputs.
                grads[key] = grads[key].map { add($0, ig) } ?? ig
            }
        }
        for t in order where t.node != nil { t.node = nil }
    }

    private func topologicalOrder() -> [Tensor] {
        var order: [Tensor] = []
        var visited = Set<ObjectIdentifier>()
        var stack: [(Tensor, Bool)] = [(self, false)]
        while let (t, expanded) = stack.popLast() {
            if expanded { order.append(t); continue }
            guard visited.insert(ObjectIdentifier(t)).inserted else { continue }
            stack.append((t, true))
            if let node = t.node {
                for input in node.inputs where input.requiresGrad && !visited.contains(ObjectIdentifier(input)) {
                    stack.append((input, false))
                }
            }
        }
        return order
    }
}

