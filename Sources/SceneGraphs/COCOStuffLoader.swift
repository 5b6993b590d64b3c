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
        let loaded = try loadReporting(instances: instances, stuff: stuff)
        return (loaded.examples, loaded.vocabulary)
    }

    /// As `load`, also listing the images left out and why: an annotation with an unknown category
    /// or a box outside its image takes its image out (its graph would miss or misplace an object),
    /// as does a count of kept objects outside `objectsPerImage`. A file that is not COCO is an error
    /// naming the file and the field.
    public func loadReporting(instances: URL, stuff: URL?) throws -> LoadedDataset {
        var images: [Int: (file: String, width: Int, height: Int)] = [:]
        var categories: [Int: String] = [:]
        var objects: [Int: [(name: String, box: Box)]] = [:]
        var problems: [Int: String] = [:]
        var orphans: [SkippedImage] = []
        for url in [instances] + (stuff.map { [$0] } ?? []) {
            let root = try loadJSON(url, as: [String: Any].self, what: "a COCO annotation object with \"images\", \"annotations\" and \"categories\"")
            for field in ["images", "annotations", "categories"] where !(root[field] is [[String: Any]]) {
                throw SceneGraphError(file: url.path, field: field, message: root[field] == nil ? "missing (not a COCO annotation file)"
                                      : "expected a list of objects (not a COCO annotation file)")
            }
            let imageList = root["images"] as! [[String: Any]], annotations = root["annotations"] as! [[String: Any]]
            for (i, c) in (root["categories"] as! [[String: Any]]).enumerated() {
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
            let name = url.lastPathComponent
            for (i, a) in annotations.enumerated() {
                guard let imageID = number(a["image_id"]).map({ Int($0) }), let categoryID = number(a["category_id"]).map({ Int($0) }),
                      let bbox = a["bbox"] as? [Any], bbox.count == 4 else {
                    throw SceneGraphError(file: url.path, field: "annotations[\(i)]", message: "needs image_id, category_id and bbox [x, y, w, h]")
                }
                guard let image = images[imageID] else {
                    orphans.append(SkippedImage(image: "#\(imageID)", reason: "\(name) annotations[\(i)]: image \(imageID) is not in the images list"))
                    continue
                }
                guard problems[imageID] == nil else { continue }
                guard let category = categories[categoryID] else {
                    problems[imageID] = "\(name) annotations[\(i)]: unknown category id \(categoryID)"
                    continue
                }
                let v = bbox.compactMap(number)
                guard v.count == 4 else { throw SceneGraphError(file: url.path, field: "annotations[\(i)].bbox", message: "expected four numbers") }
                let box: Box
                switch fractionBox(x: v[0], y: v[1], w: v[2], h: v[3], width: image.width, height: image.height) {
                case .success(let b): box = b
                case .failure(let p):
                    problems[imageID] = "\(name) annotations[\(i)]: bbox [\(v.map(compact).joined(separator: ", "))] \(p.text)"
                    continue
                }
                if !includeOther && category == "other" { continue }
                guard v[2] * v[3] / (Double(image.width) * Double(image.height)) > minimumObjectArea else { continue }
                objects[imageID, default: []].append((category, box))
            }
        }
        var rng = SplitMix64(seed: seed)
        var examples: [DatasetExample] = [], skipped: [SkippedImage] = []
        let after = " after dropping boxes of at most \(compact(minimumObjectArea * 100))% of the image" + (includeOther ? "" : " and \"other\"")
        for id in images.keys.sorted() {
            guard let image = images[id] else { continue }
            if let problem = problems[id] { skipped.append(SkippedImage(image: image.file, reason: problem)); continue }
            let list = objects[id] ?? []
            if let problem = objectCountProblem(list.count, objectsPerImage, after: after) {
                skipped.append(SkippedImage(image: image.file, reason: problem)); continue
            }
            let boxes = list.map(\.box)
            let graph = SceneGraph(objects: list.map(\.name), relationships: synthesiseRelations(boxes, rng: &rng), boxes: boxes, image: image.file)
            examples.append(DatasetExample(graph: graph, imageWidth: image.width, imageHeight: image.height, imageID: id))
        }
        let names = categories.keys.sorted().compactMap { categories[$0] }.filter { includeOther || $0 != "other" }
        let vocabulary = try Vocabulary(objects: [Vocabulary.imageObject] + names, predicates: [Vocabulary.inImagePredicate] + geometricPredicates)
        return LoadedDataset(examples: examples, vocabulary: vocabulary, skipped: skipped + orphans)
    }
}
