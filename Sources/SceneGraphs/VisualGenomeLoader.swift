import Foundation

/// Visual Genome as sg2im preprocesses it: names lower-cased, object and predicate names kept only
/// when frequent enough over the whole set, images with 3–10 kept objects, relationships kept when
/// both ends survive.
public struct VisualGenomeLoader: Sendable {
    public var minimumObjectCount: Int
    public var minimumPredicateCount: Int
    public var objectsPerImage: ClosedRange<Int>

    public init(minimumObjectCount: Int = 2000, minimumPredicateCount: Int = 500, objectsPerImage: ClosedRange<Int> = 3...10) {
        self.minimumObjectCount = minimumObjectCount; self.minimumPredicateCount = minimumPredicateCount; self.objectsPerImage = objectsPerImage
    }

    /// Loads `objects.json`, `relationships.json` and `image_data.json` from `folder`.
    public func load(folder: URL) throws -> (examples: [DatasetExample], vocabulary: Vocabulary) {
        let loaded = try loadReporting(folder: folder)
        return (loaded.examples, loaded.vocabulary)
    }

    /// As `load`, also listing the images left out and why: an object whose box lies outside its
    /// image takes the image out, as does a count of kept objects outside `objectsPerImage`.
    public func loadReporting(folder: URL) throws -> LoadedDataset {
        let objectsURL = folder.appendingPathComponent("objects.json"), relationsURL = folder.appendingPathComponent("relationships.json")
        let imagesURL = folder.appendingPathComponent("image_data.json")
        let imageList = try loadJSON(imagesURL, as: [[String: Any]].self, what: "a list of images")
        var images: [Int: (file: String, width: Int, height: Int)] = [:]
        for (i, im) in imageList.enumerated() {
            guard let id = number(im["image_id"] ?? im["id"]).map({ Int($0) }), let w = number(im["width"]), let h = number(im["height"]), w > 0, h > 0 else {
                throw SceneGraphError(file: imagesURL.path, field: "[\(i)]", message: "needs image_id, width and height")
            }
            let file = (im["url"] as? String).map { URL(fileURLWithPath: $0).lastPathComponent } ?? "\(id).jpg"
            images[id] = (file, Int(w), Int(h))
        }
        // Objects per image: id → (name, pixel box).
        var objects: [Int: [(id: Int, name: String, box: (Double, Double, Double, Double))]] = [:]
        var objectFrequency: [String: Int] = [:]
        var problems: [Int: String] = [:]
        for (i, entry) in try loadJSON(objectsURL, as: [[String: Any]].self, what: "a list of per-image objects").enumerated() {
            guard let imageID = number(entry["image_id"]).map({ Int($0) }), let list = entry["objects"] as? [[String: Any]] else {
                throw SceneGraphError(file: objectsURL.path, field: "[\(i)]", message: "needs image_id and objects")
            }
            for (j, o) in list.enumerated() {
                guard let id = number(o["object_id"]).map({ Int($0) }), let name = (o["names"] as? [String])?.first ?? o["name"] as? String,
                      let x = number(o["x"]), let y = number(o["y"]), let w = number(o["w"]), let h = number(o["h"]) else {
                    throw SceneGraphError(file: objectsURL.path, field: "[\(i)].objects[\(j)]", message: "needs object_id, names, x, y, w, h")
                }
                let clean = name.lowercased().trimmingCharacters(in: .whitespaces)
                if problems[imageID] == nil, let image = images[imageID],
                   case .failure(let p) = fractionBox(x: x, y: y, w: w, h: h, width: image.width, height: image.height) {
                    problems[imageID] = "objects.json [\(i)].objects[\(j)]: box [\([x, y, w, h].map(compact).joined(separator: ", "))] \(p.text)"
                }
                objects[imageID, default: []].append((id, clean, (x, y, w, h)))
                objectFrequency[clean, default: 0] += 1
            }
        }
        var relations: [Int: [(subject: Int, predicate: String, object: Int)]] = [:]
        var predicateFrequency: [String: Int] = [:]
        for (i, entry) in try loadJSON(relationsURL, as: [[String: Any]].self, what: "a list of per-image relationships").enumerated() {
            guard let imageID = number(entry["image_id"]).map({ Int($0) }), let list = entry["relationships"] as? [[String: Any]] else {
                throw SceneGraphError(file: relationsURL.path, field: "[\(i)]", message: "needs image_id and relationships")
            }
            for (j, r) in list.enumerated() {
                guard let p = r["predicate"] as? String, let s = number((r["subject"] as? [String: Any])?["object_id"]).map({ Int($0) }),
                      let o = number((r["object"] as? [String: Any])?["object_id"]).map({ Int($0) }) else {
                    throw SceneGraphError(file: relationsURL.path, field: "[\(i)].relationships[\(j)]", message: "needs predicate, subject.object_id, object.object_id")
                }
                let clean = p.lowercased().trimmingCharacters(in: .whitespaces)
                relations[imageID, default: []].append((s, clean, o))
                predicateFrequency[clean, default: 0] += 1
            }
        }
        let keptObjects = Set(objectFrequency.filter { $0.value >= minimumObjectCount }.keys)
        let keptPredicates = Set(predicateFrequency.filter { $0.value >= minimumPredicateCount }.keys)
        var examples: [DatasetExample] = [], skipped: [SkippedImage] = []
        let after = " after dropping names seen fewer than \(minimumObjectCount) times"
        for id in images.keys.sorted() {
            guard let image = images[id] else { continue }
            if let problem = problems[id] { skipped.append(SkippedImage(image: image.file, reason: problem)); continue }
            let list = (objects[id] ?? []).filter { keptObjects.contains($0.name) }
            if let problem = objectCountProblem(list.count, objectsPerImage, after: after) {
                skipped.append(SkippedImage(image: image.file, reason: problem)); continue
            }
            let index = Dictionary(list.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { a, _ in a })
            let (W, H) = (Double(image.width), Double(image.height))
            let boxes = list.map { Box(x0: max($0.box.0 / W, 0), y0: max($0.box.1 / H, 0), x1: min(($0.box.0 + $0.box.2) / W, 1),
                                       y1: min(($0.box.1 + $0.box.3) / H, 1)) }
            var seen = Set<Relationship>()
            let rels = (relations[id] ?? []).compactMap { r -> Relationship? in
                guard keptPredicates.contains(r.predicate), let s = index[r.subject], let o = index[r.object], s != o else { return nil }
                let rel = Relationship(s, r.predicate, o)
                return seen.insert(rel).inserted ? rel : nil
            }
            examples.append(DatasetExample(graph: SceneGraph(objects: list.map(\.name), relationships: rels, boxes: boxes, image: image.file),
                                           imageWidth: image.width, imageHeight: image.height, imageID: id))
        }
        let vocabulary = try Vocabulary(objects: [Vocabulary.imageObject] + keptObjects.sorted(),
                                        predicates: [Vocabulary.inImagePredicate] + keptPredicates.sorted())
        return LoadedDataset(examples: examples, vocabulary: vocabulary, skipped: skipped)
    }
}
