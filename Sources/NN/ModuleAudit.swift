import Tensors

/// Finds stored modules and trainable tensors that a module does not list in `children` /
/// `localParameters`: such a layer would run in the forward pass but never train nor be saved.
/// Children are listed by hand because their names are the PyTorch `state_dict()` names, not the
/// Swift property names; this check, run when a model is built, makes forgetting one impossible
/// to miss.
public enum ModuleAudit {
    /// One line per forgotten property, named by its dotted module path and property name.
    public static func forgotten(in root: any Module, name: String) -> [String] {
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

extension Module {
    /// Stops the program when a stored layer or trainable tensor is missing from `children` /
    /// `localParameters` (`ModuleAudit`); models call it at the end of their construction.
    public func requireEveryLayerListed(as name: String) {
        let forgotten = ModuleAudit.forgotten(in: self, name: name)
        require(forgotten.isEmpty, "layers missing from children: " + forgotten.joined(separator: "; "))
    }
}
