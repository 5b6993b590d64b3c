import Diffusion
import Foundation
import Yams

/// A config document with command-line overrides (`train.lr=3e-4`) applied, ready for the
/// section readers. Overrides are checked exactly like the file: an unknown key or a wrong type is
/// refused, and the error names the override instead of a line of the file.
public struct ConfigFile {
    public let source: String
    public let root: Node.Mapping
    /// The dotted keys set on the command line, with the text given.
    public let overrides: [(key: String, value: String)]

    /// Reads `url` and applies `overrides` ("section.key=value", the value in YAML syntax).
    public init(url: URL, overrides: [String] = []) throws {
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch {
            throw ConfigurationError(source: url.path, key: "-", message: "cannot read: \(error.localizedDescription)")
        }
        try self.init(text: text, source: url.path, overrides: overrides)
    }

    public init(text: String, source: String, overrides: [String] = []) throws {
        self.source = source
        var root = try composeConfigurationYAML(text, source: source)
        var parsed: [(String, String)] = []
        for item in overrides {
            guard let eq = item.firstIndex(of: "=") else {
                throw ConfigurationError(source: "override \(item)", key: item, message: "expected section.key=value")
            }
            let key = String(item[..<eq]), value = String(item[item.index(after: eq)...])
            let path = key.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            guard path.count >= 2, !path.contains(where: \.isEmpty) else {
                throw ConfigurationError(source: "override \(item)", key: key, message: "expected section.key=value (e.g. train.lr=3e-4)")
            }
            let node: Node
            do { node = try Yams.compose(yaml: value) ?? Node("") } catch {
                throw ConfigurationError(source: "override \(item)", key: key, message: "value is not valid YAML: \(error)")
            }
            root = try Self.setting(path[...], to: node, in: root, override: item)
            parsed.append((key, value))
        }
        self.root = root
        self.overrides = parsed
    }

    /// `mapping` with the value at `path` replaced (sections created as needed).
    static func setting(_ path: ArraySlice<String>, to value: Node, in mapping: Node.Mapping, override: String) throws -> Node.Mapping {
        var mapping = mapping
        let key = path.first!
        if path.count == 1 { mapping[key] = value; return mapping }
        var inner = Node.Mapping([])
        if let existing = mapping[key] {
            guard let m = existing.mapping else {
                throw ConfigurationError(source: "override \(override)", key: key, message: "the config's \(key) is not a mapping")
            }
            inner = m
        }
        mapping[key] = .mapping(try setting(path.dropFirst(), to: value, in: inner, override: override))
        return mapping
    }

    /// Runs a section reader, rewording errors about overridden keys to name the override.
    public func read<T>(_ body: (Node.Mapping, String) throws -> T) throws -> T {
        do { return try body(root, source) } catch var error as ConfigurationError {
            if let o = overrides.last(where: { $0.key == error.key }) {
                error.source = "override \(o.key)=\(o.value)"; error.line = nil
            }
            throw error
        }
    }

    /// The `model` section.
    public func model() throws -> ModelConfiguration { try read { try ModelConfiguration.parse(root: $0, source: $1) } }
}
