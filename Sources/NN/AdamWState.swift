import Tensors

/// Saving and restoring AdamW's state by parameter name, with every shape checked on load.
extension AdamW {
    /// `prefix + "m." + name` and `prefix + "v." + name` for every parameter, and `prefix + "step"`.
    public func stateDict(prefix: String = "optimizer.") -> [String: SafeTensor] {
        var result: [String: SafeTensor] = [prefix + "step": SafeTensor(shape: [1], data: .i64([Int64(step)]))]
        for (i, name) in names.enumerated() {
            result[prefix + "m." + name] = SafeTensor(shape: firstMoments[i].shape, data: .f32(firstMoments[i].scalars))
            result[prefix + "v." + name] = SafeTensor(shape: secondMoments[i].shape, data: .f32(secondMoments[i].scalars))
        }
        return result
    }

    /// Restores moments and step from `stateDict` entries. Entries outside `prefix` are ignored;
    /// under it, every missing, unexpected, mis-typed or mis-shaped entry is reported in one
    /// error, and nothing changes unless all fit.
    public func loadState(_ tensors: [String: SafeTensor], prefix: String = "optimizer.", source: String) throws {
        let stepKey = prefix + "step"
        var error = ParameterLoadError(source: source, missing: [], unexpected: [], misshapen: [], wrongType: [])
        var wanted: Set<String> = [stepKey]
        var copies: [(Tensor, [Float])] = []
        for (i, name) in names.enumerated() {
            for (kind, moment) in [("m.", firstMoments[i]), ("v.", secondMoments[i])] {
                let key = prefix + kind + name
                wanted.insert(key)
                guard let stored = tensors[key] else { error.missing.append(key); continue }
                guard case .f32(let values) = stored.data else { error.wrongType.append(key); continue }
                guard stored.shape == moment.shape else { error.misshapen.append((key, moment.shape, stored.shape)); continue }
                copies.append((moment, values))
            }
        }
        var restoredStep = 0
        if let stored = tensors[stepKey] {
            if case .i64(let values) = stored.data, values.count == 1, values[0] >= 0 {
                restoredStep = Int(values[0])
            } else {
                error.invalid.append("\(stepKey) must be one non-negative I64")
            }
        } else {
            error.missing.append(stepKey)
        }
        error.unexpected = tensors.keys.filter { $0.hasPrefix(prefix) && !wanted.contains($0) }.sorted()
        guard error.isEmpty else { throw error }
        for (moment, values) in copies {
            values.withUnsafeBufferPointer { moment.storage.pointer.update(from: $0.baseAddress!, count: values.count) }
        }
        step = restoredStep
    }
}
