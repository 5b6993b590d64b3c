import Foundation

/// COCO-Stuff as sg2im uses it: instance and stuff annotations merged per image, objects whose box
/// covers more than `minimumObjectArea` of the image kept, images with 3–8 such objects kept, and
/// relations synthesised from the boxes with the geometric rules.
public struct COCOStuffLoader: Sendable {
    public var minimumObjectArea = 0.02
    public var objectsPerImage = 3...8
    /// Drop the catch-all stuff class "other", as sg2im does by default.
    public var includeOther = false
    public var seed: UInt64 = 0

    public init(minimumObjectArea: Double = 0.02, objectsPerImage: ClosedRange<Int> = 3...8, includeOther: Bool = false, seed: UInt64 = 0) {
        self.minimumObjectArea = minimumObjectArea; self.objectsPerImage = objectsPerImage; self.includeOther = includeOther; self.seed = seed
    }

    /// Loads `instances` (and optionally `stuff`) annotation files; returns the examples (sorted by
    /// image id) and a vocabulary of every category name seen in the files.
    public func load(instances: URL, stuff: URL?) throws -> (examples: [DatasetExample], vocabulary: Vocabulary) {
        var images: [Int: (file: String, width: Int, height: Int)] = [:]
        var categories: [Int: String] = [:]
        var objects: [Int: [(name: String, box: Box)]] = [:]
        for url in [instances] + (stuff.map { [$0] } ?? []) {
            let root = try loadJSON(url, as: [String: Any].self, what: "a COCO annotation object")
            guard let imageList = root["images"] as? [[String: Any]], let annotations = root["annotations"] as? [[String: Any]],
                  let categoryList = root["categories"] as? [[String: Any]] else {
                throw SceneGraphError(file: url.path, message: "expected \"images\", \"annotations\" and \"categories\" lists")
            }
            for (i, c) in categoryList.enumerated() {
                guard let id = number(c["id"]).map({ Int($0) }), let name = c["name"] as? String else {
                    throw SceneGraphError(file: url.path, field: "categories[\(i)]", message: "needs id and name")
                }
                categories[id] = name
            }
            for (i, im) in imageList.enumerated() {
                guard let id = number(im["id"]).map({ Int($0) }), let file = im["file_name"] as? String,
                      let w = number(im["width"]), let h = number(im["height"]), w > 0, h > 0 else {
                    throw SceneGraphError(file: url.path, field: "images[\(i)]", message: "needs id, file_name, width and height")
                }
                images[id] = (file, Int(w), Int(h))
            }
            for (i, a) in annotations.enumerated() {
                guard let imageID = number(a["image_id"]).map({ Int($0) }), let categoryID = number(a["category_id"]).map({ Int($0) }),
                      let bbox = a["bbox"] as? [Any], bbox.count == 4 else {
                    throw SceneGraphError(file: url.path, field: "annotations[\(i)]", message: "needs image_id, category_id and bbox [x, y, w, h]")
                }
                guard let image = images[imageID] else { throw SceneGraphError(file: url.path, field: "annotations[\(i)].image_id", message: "no image \(imageID)") }
                guard let name = categories[categoryID] else { throw SceneGraphError(file: url.path, field: "annotations[\(i)].category_id", message: "no category \(categoryID)") }
                let v = bbox.compactMap(number)
                guard v.count == 4 else { throw SceneGraphError(file: url.path, field: "annotations[\(i)].bbox", message: "expected four numbers") }
                if !includeOther && name == "other" { continue }
                let (W, H) = (Double(image.width), Double(image.height))
                guard v[2] * v[3] / (W * H) > minimumObjectArea else { continue }
                objects[imageID, default: []].append((name, Box(x0: v[0] / W, y0: v[1] / H, x1: (v[0] + v[2]) / W, y1: (v[1] + v[3]) / H)))
            }
        }
        var rng = SplitMix64(seed: seed)
        var examples: [DatasetExample] = []
        for id in images.keys.sorted() {
            guard let list = objects[id], objectsPerImage.contains(list.count), let image = images[id] else { continue }
            let boxes = list.map(\.box)
            let graph = SceneGraph(objects: list.map(\.name), relationships: synthesiseRelations(boxes, rng: &rng), boxes: boxes, image: image.file)
            examples.append(DatasetExample(graph: graph, imageWidth: image.width, imageHeight: image.height))
        }
        let names = categories.keys.sorted().compactMap { categories[$0] }.filter { includeOther || $0 != "other" }
        let vocabulary = try Vocabulary(objects: [Vocabulary.imageObject] + names, predicates: [Vocabulary.inImagePredicate] + geometricPredicates)
        return (examples, vocabulary)
    }
}
