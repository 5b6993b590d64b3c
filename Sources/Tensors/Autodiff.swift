/// One recorded op: its inputs and the pullback that maps the output's gradient to theirs.
/// The pullback returns one entry per input (nil where no gradient is needed).
final class GradNode {
    let inputs: [Tensor]
    let pullback: (Tensor) -> [Tensor?]

    init(inputs: [Tensor], pullback: @escaping (Tensor) -> [Tensor?]) {
        self.inputs = inputs
        self.pullback = pullback
    }

    /// Stands in for a node whose pullback has run: its saved tensors are gone, and reaching it
    /// again means a second backward through the same graph, which must fail rather than
    /// silently treat the tensor as a leaf.
    nonisolated(unsafe) static let released = GradNode(inputs: [], pullback: { _ in requirementFailed(secondBackwardMessage, file: #fileID, line: #line) })

    static let secondBackwardMessage = "Trying to backward through the graph a second time: its saved tensors were freed by the first backward(). Run the forward pass again for a new backward."
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
    /// Intermediate gradients are dropped as soon as they are consumed, and each recorded node is
    /// released as soon as its pullback has run, so activations do not outlive their use. A
    /// second backward through the same graph is an error (as in PyTorch).
    public func backward(_ seed: Tensor? = nil) {
        require(node !== GradNode.released, GradNode.secondBackwardMessage)
        require(seed.map { $0.shape == shape } ?? true, "backward seed of shape \(seed?.shape ?? []) for a tensor of shape \(shape)")
        require(seed != nil || count == 1, "backward() without a seed needs a scalar, got \(shape)")
        GradMode.disabled { sweep(seed) }
    }

    private func sweep(_ seed: Tensor?) {
        var order: [Tensor?] = topologicalOrder()
        var grads: [ObjectIdentifier: Tensor] = [ObjectIdentifier(self): seed ?? Tensor.ones(shape)]
        // Storages already held as some leaf's `grad` (or the caller's seed): a pullback may hand
        // one gradient to several inputs, and each leaf must own its `grad`, since optimizers and
        // clipping update gradients in place.
        var owned = Set<ObjectIdentifier>()
        if let seed { owned.insert(ObjectIdentifier(seed.storage)) }
        for i in order.indices.reversed() {
            // Dropping our reference as we go (and the node below) frees each activation as soon
            // as the last pullback that needs it has run, instead of at the end of the sweep.
            guard let t = order[i] else { continue }
            order[i] = nil
            let g = grads.removeValue(forKey: ObjectIdentifier(t))
            guard let node = t.node else {
                if let g, t.requiresGrad { t.accumulateGrad(g, owned: &owned) }
                continue
            }
            require(node !== GradNode.released, GradNode.secondBackwardMessage)
            t.node = GradNode.released
            guard let g else { continue }
            let inputGrads = node.pullback(g)
            require(inputGrads.count == node.inputs.count, "pullback returned \(inputGrads.count) gradients for \(node.inputs.count) inputs")
            for (input, ig) in zip(node.inputs, inputGrads) {
                guard input.requiresGrad, let ig else { continue }
                require(ig.shape == input.shape, "gradient shape \(ig.shape) for input of shape \(input.shape)")
                let key = ObjectIdentifier(input)
                // Out of place: a pullback may hand the same tensor to several inputs.
                grads[key] = grads[key].map { add($0, ig) } ?? ig
            }
        }
    }

    /// Adds `g` to this leaf's gradient, copying it first if another leaf already holds its storage.
    private func accumulateGrad(_ g: Tensor, owned: inout Set<ObjectIdentifier>) {
        if let existing = grad {
            grad = add(existing, g)
        } else if owned.contains(ObjectIdentifier(g.storage)) {
            let copy = Tensor.uninitialized(g.shape)
            copy.storage.pointer.update(from: g.storage.pointer, count: g.count)
            grad = copy
        } else {
            grad = g
        }
        if let grad { owned.insert(ObjectIdentifier(grad.storage)) }
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

