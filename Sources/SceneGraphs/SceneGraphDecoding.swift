import Foundation

/// What a scene graph file holds: one graph, a list of graphs, or a frame sequence.
public enum SceneGraphDocument: Sendable, Equatable {
    case graph(SceneGraph)
    case list([SceneGraph])
    case sequence(SceneGraphSequence)

    /// Every graph in the document, in order.
    public var graphs: [SceneGraph] {
        switch self {
        case .graph(let g): [g]
        case .list(let gs): gs
        case .sequence(let s): s.frames
        }
    }
}

/// Reads sg2im-format JSON. Structure errors name the graph and field; syntax errors the line and column.
public enum SceneGraphDecoder {
    /// Reads a file.
    public static func decode(contentsOf url: URL) throws -> SceneGraphDocument {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw SceneGraphError(file: url.path, message: "cannot read: \(error.localizedDescription)")
        }
        return try decode(data, source: url.path)
    }

    /// Parses JSON text; `source` names it in errors.
    public static func decode(_ data: Data, source: String) throws -> SceneGraphDocument {
        let root: Any
        do { root = try JSONSerialization.jsonObject(with: data) } catch {
            throw syntaxError(error, data: data, source: source)
        }
        if let list = root as? [Any] {
            guard !list.isEmpty else { throw SceneGraphError(file: source, message: "the list of graphs is empty") }
            return .list(try list.enumerated().map { try graph($0.element, index: $0.offset, source: source) })
        }
        guard let dict = root as? [String: Any] else {
            throw SceneGraphError(file: source, message: "expected a graph object, a list of graphs or {\"frames\": [...]}")
        }
        if let frames = dict["frames"] {
            guard let list = frames as? [Any], !list.isEmpty else {
                throw SceneGraphError(file: source, field: "frames", message: "expected a non-empty list of graphs")
            }
            return .sequence(SceneGraphSequence(frames: try list.enumerated().map { try graph($0.element, index: $0.offset, source: source, field: "frames") }))
        }
        return .graph(try graph(dict, index: nil, source: source))
    }

    /// One graph from an already parsed JSON object (a line of a larger document); errors name
    /// `source` and graph `index`.
    public static func graph(fromJSONObject value: Any, source: String, index: Int) throws -> SceneGraph {
        try graph(value, index: index, source: source)
    }

    /// Parses one graph object.
    static func graph(_ value: Any, index: Int?, source: String, field prefix: String = "") throws -> SceneGraph {
        let at = prefix.isEmpty ? "" : (index.map { "\(prefix)[\($0)]." } ?? prefix + ".")
        func fail(_ field: String, _ message: String) -> SceneGraphError {
            SceneGraphError(file: source, graph: index, field: at + field, message: message)
        }
        guard let dict = value as? [String: Any] else { throw SceneGraphError(file: source, graph: index, message: "expected a graph object") }
        guard let rawObjects = dict["objects"] else { throw fail("objects", "missing") }
        guard let objects = rawObjects as? [String] else { throw fail("objects", "expected a list of object names") }
        var relationships: [Relationship] = []
        if let raw = dict["relationships"] {
            guard let list = raw as? [Any] else { throw fail("relationships", "expected a list of [subject, predicate, object]") }
            for (i, item) in list.enumerated() {
                guard let triple = item as? [Any], triple.count == 3 else {
                    throw fail("relationships[\(i)]", "expected [subject index, \"predicate\", object index]")
                }
                guard let s = integer(triple[0]) else { throw fail("relationships[\(i)][0]", "subject must be an integer index") }
                guard let p = triple[1] as? String else { throw fail("relationships[\(i)][1]", "predicate must be a string") }
                guard let o = integer(triple[2]) else { throw fail("relationships[\(i)][2]", "object must be an integer index") }
                relationships.append(Relationship(s, p, o))
            }
        }
        var boxes: [Box]? = nil
        if let raw = dict["boxes"] {
            guard let list = raw as? [[Any]] else { throw fail("boxes", "expected a list of [x0, y0, x1, y1]") }
            boxes = try list.enumerated().map { i, b in
                let v = b.compactMap { ($0 as? NSNumber)?.doubleValue }
                guard v.count == 4, b.count == 4, v.allSatisfy({ $0.isFinite }) else { throw fail("boxes[\(i)]", "expected four numbers [x0, y0, x1, y1]") }
                return Box(x0: v[0], y0: v[1], x1: v[2], y1: v[3])
            }
        }
        return SceneGraph(objects: objects, relationships: relationships, boxes: boxes, image: dict["image"] as? String)
    }

    /// A JSON integer (not a bool or a fraction).
    static func integer(_ value: Any) -> Int? {
        guard let n = value as? NSNumber, String(cString: n.objCType) != "c" else { return nil }
        let d = n.doubleValue
        guard d.isFinite, d == d.rounded(), abs(d) < 1e15 else { return nil }
        return Int(d)
    }

    /// A JSONSerialization failure as file:line:column (the parser reports a character offset).
    static func syntaxError(_ error: Error, data: Data, source: String) -> SceneGraphError {
        let text = (error as NSError).userInfo["NSDebugDescription"] as? String ?? "\(error)"
        var offset = data.count
        if let range = text.range(of: #"character (\d+)"#, options: .regularExpression),
           let n = Int(text[range].dropFirst("character ".count)) { offset = min(n, data.count) }
        var line = 1, column = 1
        for byte in data.prefix(offset) {
            if byte == UInt8(ascii: "\n") { line += 1; column = 1 } else { column += 1 }
        }
        let what = text.contains("end of file") ? "unexpected end of file" : "invalid JSON"
        return SceneGraphError(file: source, line: line, column: column, message: "malformed JSON: \(what)")
    }
}
