import Tensors

/// A layer or model whose parameters are addressed by dotted names exactly as PyTorch's
/// `state_dict()` names them (`unet.down.0.res.1.conv1.weight`), so checkpoints load by name.
public protocol Module: AnyObject {
    /// This module's own parameters by local name ("weight", "bias").
    var localParameters: [(String, Tensor)] { get }
    /// Child modules by local name ("net1", "0", "res.1").
    var children: [(String, any Module)] { get }
}

extension Module {
    public var localParameters: [(String, Tensor)] { [] }
    public var children: [(String, any Module)] { [] }

    /// Every parameter under this module, depth first, with its full dotted name.
    public func namedParameters(prefix: String = "") -> [(String, Tensor)] {
        var result = localParameters.map { (prefix + $0.0, $0.1) }
        for (name, child) in children { result += child.namedParameters(prefix: prefix + name + ".") }
        return result
    }

    /// The parameters in `namedParameters` order.
    public var parameters: [Tensor] { namedParameters().map(\.1) }

    /// Total number of scalars in all parameters.
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.count } }

    /// Turns gradient tracking on or off for every parameter (off = frozen).
    public func setRequiresGrad(_ value: Bool) {
        for p in parameters { p.requiresGrad = value }
    }

    /// Clears accumulated gradients.
    public func zeroGrad() {
        for p in parameters { p.grad = nil }
    }
}

/// A list of modules named "0", "1", … like `nn.ModuleList`.
public final class ModuleList<Element: Module>: Module {
    public var items: [Element]
    public init(_ items: [Element] = []) { self.items = items }
    public var children: [(String, any Module)] { items.enumerated().map { (String($0.offset), $0.element) } }
    public subscript(i: Int) -> Element { items[i] }
    public var count: Int { items.count }
    public var isEmpty: Bool { items.isEmpty }
}
