/// An axis-aligned box [x0, y0, x1, y1] in image fractions (0…1), y pointing down.
public struct Box: Sendable, Equatable, Hashable {
    public var x0: Double, y0: Double, x1: Double, y1: Double

    public init(x0: Double, y0: Double, x1: Double, y1: Double) {
        self.x0 = x0; self.y0 = y0; self.x1 = x1; self.y1 = y1
    }

    public var centerX: Double { (x0 + x1) / 2 }
    public var centerY: Double { (y0 + y1) / 2 }
    public var width: Double { x1 - x0 }
    public var height: Double { y1 - y0 }
    public var array: [Double] { [x0, y0, x1, y1] }
}

/// One relationship: subject index, predicate name, object index (sg2im's `[s, "p", o]`).
public struct Relationship: Sendable, Equatable, Hashable {
    public var subject: Int
    public var predicate: String
    public var object: Int

    public init(_ subject: Int, _ predicate: String, _ object: Int) {
        self.subject = subject; self.predicate = predicate; self.object = object
    }
}

/// A scene graph in sg2im's format: named objects and relationships between them, with optional
/// boxes (training data and the checker use them; sampling ignores them) and an image file name.
public struct SceneGraph: Sendable, Equatable {
    public var objects: [String]
    public var relationships: [Relationship]
    public var boxes: [Box]?
    public var image: String?

    public init(objects: [String], relationships: [Relationship], boxes: [Box]? = nil, image: String? = nil) {
        self.objects = objects; self.relationships = relationships; self.boxes = boxes; self.image = image
    }
}

/// A frame sequence: one graph per frame over the same objects (relations may change).
public struct SceneGraphSequence: Sendable, Equatable {
    public var frames: [SceneGraph]
    public init(frames: [SceneGraph]) { self.frames = frames }
}
