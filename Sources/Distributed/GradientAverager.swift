import Tensors

/// Averages the gradients of a list of parameters over all ranks with one all-reduce of one flat
/// buffer (a collective per parameter would pay MPI's latency hundreds of times a step).
/// A parameter without a gradient on every rank keeps none, as a single process would leave it;
/// the buffer carries one presence count per parameter for that.
public final class GradientAverager {
    public let communicator: any Communicator
    private var buffer: [Float] = []

    public init(_ communicator: any Communicator) { self.communicator = communicator }

    /// Replaces each parameter's `grad` by the mean over ranks (missing gradients count as zero).
    public func average(_ parameters: [Tensor]) throws {
        guard communicator.size > 1 else { return }
        let total = parameters.reduce(0) { $0 + $1.count } + parameters.count
        if buffer.count != total { buffer = [Float](repeating: 0, count: total) }
        try buffer.withUnsafeMutableBufferPointer { flat in
            let base = flat.baseAddress!
            var offset = parameters.count
            for (i, p) in parameters.enumerated() {
                if let g = p.grad {
                    require(g.count == p.count, "gradient of \(g.count) values for a parameter of \(p.count)")
                    (base + offset).update(from: g.storage.pointer, count: p.count)
                    flat[i] = 1
                } else {
                    (base + offset).update(repeating: 0, count: p.count)
                    flat[i] = 0
                }
                offset += p.count
            }
            try communicator.allReduceSum(flat)
            let scale = 1 / Float(communicator.size)
            offset = parameters.count
            for (i, p) in parameters.enumerated() {
                defer { offset += p.count }
                guard flat[i] > 0 else { p.grad = nil; continue }
                // A fresh tensor: a gradient may alias another tensor, which must not change.
                let g = Tensor.uninitialized(p.shape)
                let out = g.storage.pointer
                for j in 0..<p.count { out[j] = base[offset + j] * scale }
                p.grad = g
            }
        }
    }
}
