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
            guard path.count == 2, !path[0].isEmpty, !path[1].isEmpty else {
                throw ConfigurationError(source: "override \(item)", key: key, message: "expected section.key=value (e.g. train.lr=3e-4)")
            }
            let node: Node
            do { node = try Yams.compose(yaml: value) ?? Node("") } catch {
                throw ConfigurationError(source: "override \(item)", key: key, message: "value is not valid YAML: \(error)")
            }
            var section: Node.Mapping
            if let existing = root[path[0]] {
                guard let m = existing.mapping else {
                    throw ConfigurationError(source: "override \(item)", key: path[0], message: "the config's \(path[0]) is not a mapping")
                }
                section = m
            } else { section = Node.Mapping([]) }
            section[path[1]] = node
            root[path[0]] = Node(section)
            parsed.append((key, value))
        }
        self.root = root
        self.overrides = parsed
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
