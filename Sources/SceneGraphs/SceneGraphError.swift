/// A problem with a scene graph file, located by file, line/column (syntax errors) or graph index
/// and field, so a user can go straight to it.
public struct SceneGraphError: Error, CustomStringConvertible, Equatable {
    public var file: String
    public var line: Int?
    public var column: Int?
    /// Index of the graph in a list (or of the frame in a sequence), when the file holds several.
    public var graph: Int?
    /// JSON path of the offending field, e.g. `relationships[2][1]`.
    public var field: String?
    public var message: String

    public init(file: String, line: Int? = nil, column: Int? = nil, graph: Int? = nil, field: String? = nil, message: String) {
        self.file = file; self.line = line; self.column = column; self.graph = graph; self.field = field; self.message = message
    }

    public var description: String {
        var location = file
        if let line { location += ":\(line)" + (column.map { ":\($0)" } ?? "") }
        var parts = [location]
        if let graph { parts.append("graph \(graph)") }
        if let field { parts.append(field) }
        return parts.joined(separator: ": ") + ": " + message
    }
}
