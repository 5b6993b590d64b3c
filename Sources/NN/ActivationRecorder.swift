import Tensors

/// Receives intermediate outputs under PyTorch module names ("unet.down.1.attn.0.ln2"), for
/// layer-by-layer parity checks against the reference's forward hooks. Layers take an optional
/// recorder and pass `scoped(childName)` on to their children.
public struct ActivationRecorder {
    private let sink: (String, Tensor) -> Void
    private let prefix: String

    public init(_ sink: @escaping (String, Tensor) -> Void) {
        self.sink = sink
        self.prefix = ""
    }

    private init(sink: @escaping (String, Tensor) -> Void, prefix: String) {
        self.sink = sink
        self.prefix = prefix
    }

    /// Records `tensor` as the output of child `name` (or of this scope itself when `name` is empty).
    public func callAsFunction(_ name: String, _ tensor: Tensor) {
        let full = name.isEmpty ? String(prefix.dropLast()) : prefix + name
        sink(full, tensor)
    }

    /// A recorder for child module `name`.
    public func scoped(_ name: String) -> ActivationRecorder { ActivationRecorder(sink: sink, prefix: prefix + name + ".") }
}
