import Foundation

extension SceneGraph {
    /// The sg2im JSON object (objects, relationships, and boxes / image when present).
    public var jsonObject: [String: Any] {
        var dict: [String: Any] = ["objects": objects, "relationships": relationships.map { [$0.subject, $0.predicate, $0.object] as [Any] }]
        if let boxes { dict["boxes"] = boxes.map { $0.array.map { ($0 * 1e6).rounded() / 1e6 } } }
        if let image { dict["image"] = image }
        return dict
    }

    /// One line of JSON (keys sorted, so output is reproducible).
    public func jsonLine() throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: jsonObject, options: [.sortedKeys]), as: UTF8.self)
    }
}

extension SceneGraphSequence {
    /// `{"frames": [...]}`.
    public func json() throws -> String {
        let data = try JSONSerialization.data(withJSONObject: ["frames": frames.map(\.jsonObject)], options: [.sortedKeys, .prettyPrinted])
        return String(decoding: data, as: UTF8.self)
    }

    /// `{"frames": [...]}` on one line (keys sorted): a line of a clips JSONL file.
    public func jsonLine() throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: ["frames": frames.map(\.jsonObject)], options: [.sortedKeys]), as: UTF8.self)
    }
}

/// Reads a JSONL file of graphs (one per line, blank lines skipped); errors carry the line number.
public func readGraphLines(_ url: URL) throws -> [(line: Int, graph: SceneGraph)] {
    let text: String
    do { text = try String(contentsOf: url, encoding: .utf8) } catch {
        throw SceneGraphError(file: url.path, message: "cannot read: \(error.localizedDescription)")
    }
    var result: [(Int, SceneGraph)] = []
    // Swift reads "\r\n" as one Character: split on it too, or a CRLF file would be one line.
    for (i, line) in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }).enumerated()
    where !line.trimmingCharacters(in: .whitespaces).isEmpty {
        do {
            guard case .graph(let g) = try SceneGraphDecoder.decode(Data(line.utf8), source: url.path) else {
                throw SceneGraphError(file: url.path, line: i + 1, message: "expected one graph object per line")
            }
            result.append((i + 1, g))
        } catch var e as SceneGraphError {
            if e.line == nil || e.line == 1 { e.line = i + 1 }
            throw e
        }
    }
    return result
}
