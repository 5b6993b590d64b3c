import Foundation
import GraphEncoder
import Yams

extension ModelConfiguration {
    /// Reads the `model` section of a YAML config. Every key has a default (the shapes32 model);
    /// a key that is present must have the right type, and unknown keys are refused (a typo
    /// would otherwise silently train the wrong model).
    public static func load(yamlFile url: URL) throws -> ModelConfiguration {
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch {
            throw ConfigurationError(source: url.path, key: "-", message: "cannot read: \(error.localizedDescription)")
        }
        return try parse(yaml: text, source: url.path)
    }

    /// Parses YAML text; `source` names it in errors.
    public static func parse(yaml text: String, source: String) throws -> ModelConfiguration {
        try parse(root: try composeConfigurationYAML(text, source: source), source: source)
    }

    /// Reads the `model` section of an already parsed config document.
    public static func parse(root mapping: Node.Mapping, source: String) throws -> ModelConfiguration {
        guard let model = mapping["model"] else { return shapes32 }
        guard let section = model.mapping else {
            throw ConfigurationError(source: source, key: "model", line: model.mark.map { $0.line }, message: "expected a mapping")
        }
        let reader = YAMLSection(source: source, prefix: "model", mapping: section)
        try reader.refuseUnknown(["channels", "mult", "num_res", "attn_levels", "heads", "context_dim", "num_objects", "num_predicates",
                                  "D", "H", "layers", "G", "max_triples", "in_channels", "norm_groups", "frames", "frame_noise", "context_frames", "keyframes", "temporal_levels", "attn_positions"])
        var c = shapes32
        c.unet.channels = try reader.int("channels") ?? c.unet.channels
        c.unet.multipliers = try reader.intList("mult") ?? c.unet.multipliers
        c.unet.residualBlocks = try reader.int("num_res") ?? c.unet.residualBlocks
        c.unet.attentionLevels = try reader.intList("attn_levels") ?? c.unet.attentionLevels
        c.unet.heads = try reader.int("heads") ?? c.unet.heads
        c.unet.inChannels = try reader.int("in_channels") ?? c.unet.inChannels
        c.unet.normGroups = try reader.int("norm_groups") ?? c.unet.normGroups
        c.unet.frames = try reader.int("frames") ?? c.unet.frames
        c.unet.frameNoiseCorrelation = try reader.double("frame_noise") ?? c.unet.frameNoiseCorrelation
        c.unet.contextFrames = try reader.int("context_frames") ?? c.unet.contextFrames
        c.unet.keyframes = try reader.bool("keyframes") ?? c.unet.keyframes
        c.unet.temporalLevels = try reader.intList("temporal_levels") ?? c.unet.temporalLevels
        if let p = try reader.choice("attn_positions", ["none", "sincos"]) { c.unet.attentionPositions = p == "sincos" }
        c.contextDimension = try reader.int("context_dim") ?? c.contextDimension
        c.encoder.objectClasses = try reader.int("num_objects") ?? c.encoder.objectClasses
        c.encoder.predicateClasses = try reader.int("num_predicates") ?? c.encoder.predicateClasses
        c.encoder.dimension = try reader.int("D") ?? c.encoder.dimension
        c.encoder.hidden = try reader.int("H") ?? c.encoder.hidden
        c.encoder.layers = try reader.int("layers") ?? c.encoder.layers
        c.encoder.globalDimension = try reader.int("G") ?? c.encoder.globalDimension
        c.encoder.maxTriples = try reader.int("max_triples") ?? c.encoder.maxTriples
        return try c.validated(source: source)
    }

    /// Parses the reference's config string as stored in fixture metadata:
    /// `num_objects=25 num_predicates=7 context_dim=64 encoder_kwargs={'D': 32, …} channels=32 mult=(1, 1) …`.
    public static func parse(referenceConfig text: String) throws -> ModelConfiguration {
        func fail(_ why: String) -> ConfigurationError { ConfigurationError(source: "reference config", key: "-", message: why) }
        // Put every key=value (including those inside encoder_kwargs) into one table of integer lists.
        var values: [String: [Int]] = [:]
        let flattened = text.replacingOccurrences(of: "encoder_kwargs={", with: "")
            .replacingOccurrences(of: "}", with: "").replacingOccurrences(of: "': ", with: "=").replacingOccurrences(of: "'", with: "")
        let pattern = try NSRegularExpression(pattern: "([A-Za-z_]+)=(\\([^)]*\\)|[-0-9]+)")
        let ns = flattened as NSString
        for m in pattern.matches(in: flattened, range: NSRange(location: 0, length: ns.length)) {
            let key = ns.substring(with: m.range(at: 1)), raw = ns.substring(with: m.range(at: 2))
            let numbers = raw.trimmingCharacters(in: CharacterSet(charactersIn: "()")).split(separator: ",")
                .compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
            values[key] = numbers
        }
        func int(_ k: String) throws -> Int {
            guard let v = values[k], v.count == 1 else { throw fail("missing \(k)") }
            return v[0]
        }
        let encoder = GraphEncoderConfiguration(objectClasses: try int("num_objects"), predicateClasses: try int("num_predicates"),
                                                dimension: try int("D"), hidden: try int("H"), layers: try int("layers"),
                                                globalDimension: try int("G"), maxTriples: try int("max_triples"))
        guard let mult = values["mult"], let attn = values["attn_levels"] else { throw fail("missing mult or attn_levels") }
        let unet = UNetConfiguration(channels: try int("channels"), multipliers: mult, residualBlocks: try int("num_res"),
                                     attentionLevels: attn, heads: try int("heads"),
                                     normGroups: values["norm_groups"] == nil ? 32 : try int("norm_groups"))
        return try ModelConfiguration(encoder: encoder, unet: unet, contextDimension: try int("context_dim")).validated(source: "reference config")
    }
}

/// Parses a config document; its top level must be a mapping.
public func composeConfigurationYAML(_ text: String, source: String) throws -> Node.Mapping {
    let root: Node?
    do { root = try Yams.compose(yaml: text) } catch {
        throw ConfigurationError(source: source, key: "-", message: "not valid YAML: \(error)")
    }
    guard let root else { return Node.Mapping([]) }
    guard let mapping = root.mapping else { throw ConfigurationError(source: source, key: "-", message: "expected a mapping at the top level") }
    return mapping
}

/// Typed reads from one YAML mapping, with errors naming file, line, dotted key and expected type.
public struct YAMLSection {
    public let source: String, prefix: String, mapping: Node.Mapping

    public init(source: String, prefix: String, mapping: Node.Mapping) {
        self.source = source; self.prefix = prefix; self.mapping = mapping
    }

    /// The section `key` of a document (an empty one when absent), refusing a non-mapping value.
    public static func section(_ key: String, of root: Node.Mapping, source: String) throws -> YAMLSection {
        guard let node = root[key] else { return YAMLSection(source: source, prefix: key, mapping: Node.Mapping([])) }
        guard let mapping = node.mapping else {
            throw ConfigurationError(source: source, key: key, line: node.mark.map { $0.line }, message: "expected a mapping")
        }
        return YAMLSection(source: source, prefix: key, mapping: mapping)
    }

    public func error(_ key: String, _ node: Node?, _ message: String) -> ConfigurationError {
        ConfigurationError(source: source, key: "\(prefix).\(key)", line: node?.mark.map { $0.line }, message: message)
    }

    public func found(_ node: Node) -> String {
        if let s = node.scalar { return "\"\(s.string)\"" }
        return node.sequence != nil ? "a list" : "a mapping"
    }

    /// Refuses keys outside `known` (a typo would otherwise silently fall back to a default).
    public func refuseUnknown(_ known: Set<String>) throws {
        for (k, v) in mapping {
            guard let name = k.string else { continue }
            if !known.contains(name) { throw error(name, v, "unknown key (known: \(known.sorted().joined(separator: ", ")))") }
        }
    }

    /// A plain decimal integer scalar ("32", "-1"), nil for anything else or out of Int's range.
    /// Not Yams's `Node.int`: it also reads YAML 1.1's base-60 form ("1:30") and traps on
    /// overflow there (found by fuzzing: `channels: 1:1:1:1:1:1:1:1:1:1:1:1` crashed the loader).
    static func integer(_ node: Node) -> Int? {
        guard let scalar = node.scalar, scalar.style == .plain else { return nil }
        return Int(scalar.string)
    }

    public func int(_ key: String) throws -> Int? {
        guard let node = mapping[key] else { return nil }
        guard let v = Self.integer(node) else { throw error(key, node, "expected an integer, found \(found(node))") }
        return v
    }

    public func intList(_ key: String) throws -> [Int]? {
        guard let node = mapping[key] else { return nil }
        guard let seq = node.sequence else { throw error(key, node, "expected a list of integers, found \(found(node))") }
        return try seq.map { item in
            guard let v = Self.integer(item) else { throw error(key, item, "expected a list of integers, found item \(found(item))") }
            return v
        }
    }

    /// A plain decimal number ("3e-4", "0.9", "32"); like `int`, not Yams's YAML 1.1 forms
    /// (base 60, ".inf"), which the fuzzer showed to be a crash risk for integers.
    public func double(_ key: String) throws -> Double? {
        guard let node = mapping[key] else { return nil }
        guard let scalar = node.scalar, scalar.style == .plain, let v = Double(scalar.string), v.isFinite else {
            throw error(key, node, "expected a number, found \(found(node))")
        }
        return v
    }

    public func bool(_ key: String) throws -> Bool? {
        guard let node = mapping[key] else { return nil }
        guard node.scalar != nil, let v = node.bool else { throw error(key, node, "expected true or false, found \(found(node))") }
        return v
    }

    /// A string that must be one of `choices`.
    public func choice(_ key: String, _ choices: [String]) throws -> String? {
        guard let node = mapping[key] else { return nil }
        guard let v = node.scalar?.string, choices.contains(v) else {
            throw error(key, node, "expected one of \(choices.joined(separator: ", ")), found \(found(node))")
        }
        return v
    }

    public func string(_ key: String) throws -> String? {
        guard let node = mapping[key] else { return nil }
        guard let v = node.scalar?.string else { throw error(key, node, "expected a string, found \(found(node))") }
        return v
    }
}
