import SceneGraphs

/// The shapes ShapeWorld draws.
public enum Shape: String, CaseIterable, Sendable {
    case square, circle, triangle
}

/// The six colours, in docs/data.md's order, with their RGB values.
public enum ShapeColor: String, CaseIterable, Sendable {
    case red, green, blue, yellow, magenta, cyan

    public var rgb: (UInt8, UInt8, UInt8) {
        switch self {
        case .red: (230, 40, 40)
        case .green: (40, 200, 60)
        case .blue: (50, 90, 240)
        case .yellow: (240, 220, 40)
        case .magenta: (220, 50, 220)
        case .cyan: (40, 220, 230)
        }
    }
}

/// One of the 18 object classes, named "red circle" etc.
public struct ShapeClass: Sendable, Hashable {
    public var color: ShapeColor
    public var shape: Shape
    public var name: String { "\(color.rawValue) \(shape.rawValue)" }

    public init(color: ShapeColor, shape: Shape) { self.color = color; self.shape = shape }

    /// Parses "red circle".
    public init?(name: String) {
        let parts = name.split(separator: " ")
        guard parts.count == 2, let c = ShapeColor(rawValue: String(parts[0])), let s = Shape(rawValue: String(parts[1])) else { return nil }
        self.init(color: c, shape: s)
    }

    /// Colour-major order: red square, red circle, red triangle, green square, … (ids 1–18).
    public static let all: [ShapeClass] = ShapeColor.allCases.flatMap { c in Shape.allCases.map { ShapeClass(color: c, shape: $0) } }
}

/// Background (32, 32, 32).
public let shapeWorldBackground: (UInt8, UInt8, UInt8) = (32, 32, 32)

extension Vocabulary {
    /// ShapeWorld's vocabulary: `__image__` + the 18 classes; `__in_image__` + the six relations.
    public static let shapeWorld: Vocabulary = {
        // The names are fixed and valid, so construction cannot fail.
        guard let v = try? Vocabulary(objects: [Vocabulary.imageObject] + ShapeClass.all.map(\.name),
                                      predicates: [Vocabulary.inImagePredicate] + geometricPredicates) else {
            preconditionFailure("ShapeWorld vocabulary")
        }
        return v
    }()
}
