import Foundation
import Tensors

/// Why a checkpoint does not fit a model: every missing, unexpected and mis-shaped parameter at once.
public struct ParameterLoadError: Error, CustomStringConvertible {
    public var source: String
    public var missing: [String]
    public var unexpected: [String]
    /// (name, shape in the model, shape in the file)
    public var misshapen: [(String, [Int], [Int])]
    public var wrongType: [String]
    /// Entries present but unusable for another reason, each with its reason.
    public var invalid: [String] = []

    /// Whether nothing at all is wrong.
    public var isEmpty: Bool { missing.isEmpty && unexpected.isEmpty && misshapen.isEmpty && wrongType.isEmpty && invalid.isEmpty }

    public var description: String {
        var lines = ["\(source): checkpoint does not match the model"]
        if !missing.isEmpty { lines.append("  missing (\(missing.count)): " + missing.joined(separator: ", ")) }
        if !unexpected.isEmpty { lines.append("  unexpected (\(unexpected.count)): " + unexpected.joined(separator: ", ")) }
        for (name, model, file) in misshapen { lines.append("  \(name): model has shape \(model), file has \(file)") }
        if !wrongType.isEmpty { lines.append("  not F32: " + wrongType.joined(separator: ", ")) }
        for reason in invalid { lines.append("  " + reason) }
        return lines.joined(separator: "\n")
    }
}

extension Module {
    /// Copies parameters from `file` by name (each name prefixed with `prefix`). Names in the
    /// file that do not start with `prefix` are ignored; under it, every mismatch is reported in
    /// one error and nothing is copied.
    public func loadParameters(from file: SafeTensorsFile, prefix: String = "", source: String) throws {
        let named = namedParameters(prefix: prefix)
        let wanted = Set(named.map(\.0))
        var error = ParameterLoadError(source: source, missing: [], unexpected: [], misshapen: [], wrongType: [])
        error.unexpected = file.tensors.keys.filter { $0.hasPrefix(prefix) && !wanted.contains($0) }.sorted()
        var values: [(Tensor, [Float])] = []
        for (name, parameter) in named {
            guard let stored = file.tensors[name] else { error.missing.append(name); continue }
            guard case .f32(let floats) = stored.data else { error.wrongType.append(name); continue }
            guard stored.shape == parameter.shape else { error.misshapen.append((name, parameter.shape, stored.shape)); continue }
            values.append((parameter, floats))
        }
        guard error.missing.isEmpty, error.unexpected.isEmpty, error.misshapen.isEmpty, error.wrongType.isEmpty else { throw error }
        for (parameter, floats) in values {
            floats.withUnsafeBufferPointer { parameter.storage.pointer.update(from: $0.baseAddress!, count: floats.count) }
        }
    }

    /// The parameters as safetensors entries, by dotted name.
    public func stateDict(prefix: String = "") -> [String: SafeTensor] {
        var result: [String: SafeTensor] = [:]
        for (name, p) in namedParameters(prefix: prefix) { result[name] = SafeTensor(shape: p.shape, data: .f32(p.scalars)) }
        return result
    }
}

extension Tensor {
    /// A Float32 tensor from a safetensors entry (F32 as is; I64/I32 converted).
    public convenience init(_ stored: SafeTensor) {
        switch stored.data {
        case .f32(let v): self.init(shape: stored.shape, scalars: v)
        case .i64(let v): self.init(shape: stored.shape, scalars: v.map { Float($0) })
        case .i32(let v): self.init(shape: stored.shape, scalars: v.map { Float($0) })
        }
    }
}
