import Foundation

/// Where a run's examples come from (`data.source`).
public enum DatasetSource: String, CaseIterable, Sendable {
    /// Synthetic scenes rendered on the fly (no preparation).
    case shapeworld
    /// COCO(-Stuff) instances JSON, optionally a stuff JSON after it; relations synthesised.
    case coco
    /// A Visual Genome folder: objects.json, relationships.json, image_data.json.
    case vg
    /// A JSONL file of sg2im graphs, each with its `image` and optional `boxes`.
    case folder
}

/// What `prepare` reads and how (the `data` section's keys, resolved).
public struct PreparationOptions: Sendable {
    public var source: DatasetSource
    /// coco: instances [, stuff]; vg: the folder; folder: the JSONL file.
    public var annotations: [URL]
    /// The folder the annotations' image names are relative to.
    public var images: URL
    /// The model's image size: every image is resized to size×size.
    public var size: Int
    public var objectsPerImage: ClosedRange<Int>
    /// coco: objects whose box covers at most this share of the image are dropped.
    public var minimumObjectArea = 0.02
    /// vg: object and predicate names seen fewer times over the whole set are dropped.
    public var minimumObjectCount = 2000
    public var minimumPredicateCount = 500
    /// Share of images (by id) held out for evaluation.
    public var heldOutShare = 0.05
    /// coco: seed of the synthesised relations.
    public var seed: UInt64 = 0

    public init(source: DatasetSource, annotations: [URL], images: URL, size: Int, objectsPerImage: ClosedRange<Int>) {
        self.source = source; self.annotations = annotations; self.images = images; self.size = size; self.objectsPerImage = objectsPerImage
    }

    /// The options as recorded in the pack's header.
    var recorded: [String: String] {
        var o = ["annotations": annotations.map(\.path).joined(separator: ", "), "images": images.path, "size": String(size),
                 "min_objects": String(objectsPerImage.lowerBound), "max_objects": String(objectsPerImage.upperBound),
                 "held_out": String(heldOutShare)]
        switch source {
        case .coco: o["min_object_area"] = String(minimumObjectArea); o["seed"] = String(seed)
        case .vg: o["min_object_count"] = String(minimumObjectCount); o["min_predicate_count"] = String(minimumPredicateCount)
        case .folder, .shapeworld: break
        }
        return o
    }
}
