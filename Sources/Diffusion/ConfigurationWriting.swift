import Foundation

/// One value of a resolved config, as written back to YAML (run folders) or JSON (weights metadata).
public enum ConfigValue: Sendable {
    case int(Int), double(Double), string(String), bool(Bool), ints([Int])
    /// A nested section (`pretrain.loss`).
    indirect case mapping([(String, ConfigValue)])

    /// JSON text (flow style, so valid YAML too).
    var text: String {
        switch self {
        case .int(let v): return String(v)
        case .double(let v): return v.isFinite ? "\(v)" : "null"
        case .string(let v): return jsonQuoted(v)
        case .bool(let v): return v ? "true" : "false"
        case .ints(let v): return "[" + v.map(String.init).joined(separator: ", ") + "]"
        case .mapping(let entries): return "{" + entries.map { jsonQuoted($0.0) + ": " + $0.1.text }.joined(separator: ", ") + "}"
        }
    }

    /// YAML lines at `indent`, nested sections in block style.
    func yamlLines(key: String, indent: String) -> [String] {
        guard case .mapping(let entries) = self else { return ["\(indent)\(key): \(text)"] }
        return ["\(indent)\(key):"] + entries.flatMap { $0.1.yamlLines(key: $0.0, indent: indent + "  ") }
    }
}

/// A config section's resolved key/value pairs, in the order a reader expects them.
public typealias ConfigSection = (name: String, values: [(String, ConfigValue)])

/// Renders sections as YAML that `composeConfigurationYAML` reads back to the same values.
public func configurationYAML(_ sections: [ConfigSection], header: String? = nil) -> String {
    var lines: [String] = header.map { $0.split(separator: "\n", omittingEmptySubsequences: false).map { "# " + $0 } } ?? []
    for section in sections {
        lines.append("\(section.name):")
        for (key, value) in section.values { lines += value.yamlLines(key: key, indent: "  ") }
    }
    return lines.joined(separator: "\n") + "\n"
}

/// Renders sections as one JSON object (valid YAML too, so the same loader reads it).
public func configurationJSON(_ sections: [ConfigSection]) -> String {
    "{" + sections.map { section in
        jsonQuoted(section.name) + ": {" + section.values.map { jsonQuoted($0.0) + ": " + $0.1.text }.joined(separator: ", ") + "}"
    }.joined(separator: ", ") + "}"
}

/// A JSON string literal (configs in metadata, metric names in metrics.jsonl).
public func jsonQuoted(_ s: String) -> String {
    var out = "\""
    for u in s.unicodeScalars {
        switch u {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\t": out += "\\t"
        case "\r": out += "\\r"
        default:
            if u.value < 0x20 { out += String(format: "\\u%04x", u.value) } else { out.unicodeScalars.append(u) }
        }
    }
    return out + "\""
}

extension ModelConfiguration {
    /// The `model` section with every key resolved (defaults filled in).
    public var section: ConfigSection {
        ("model", [
            ("channels", .int(unet.channels)), ("mult", .ints(unet.multipliers)), ("num_res", .int(unet.residualBlocks)),
            ("attn_levels", .ints(unet.attentionLevels)), ("heads", .int(unet.heads)), ("context_dim", .int(contextDimension)),
            ("in_channels", .int(unet.inChannels)), ("norm_groups", .int(unet.normGroups)),
            ("num_objects", .int(encoder.objectClasses)), ("num_predicates", .int(encoder.predicateClasses)),
            ("D", .int(encoder.dimension)), ("H", .int(encoder.hidden)), ("layers", .int(encoder.layers)),
            ("G", .int(encoder.globalDimension)), ("max_triples", .int(encoder.maxTriples)),
        ] + (unet.frames > 0 ? [("frames", .int(unet.frames))] : [])
          + (unet.frameNoiseCorrelation > 0 ? [("frame_noise", .double(unet.frameNoiseCorrelation))] : [])
          + (unet.contextFrames > 0 ? [("context_frames", .int(unet.contextFrames))] : [])
          + (unet.keyframes ? [("keyframes", .bool(true))] : [])
          + (unet.temporalLevels.map { [("temporal_levels", .ints($0))] } ?? [])
          // Written only when on, so files of reference models say exactly the reference's keys.
          + (unet.attentionPositions ? [("attn_positions", .string("sincos"))] : []))
    }
}
