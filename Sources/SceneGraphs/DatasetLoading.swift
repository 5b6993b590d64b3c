import Foundation

/// One example of a real data set: the graph (with normalised boxes and the image file name).
public struct DatasetExample: Sendable, Equatable {
    public var graph: SceneGraph
    public var imageWidth: Int
    public var imageHeight: Int
    /// The data set's id of the image (COCO and Visual Genome ids; the line number for a folder):
    /// the held-out split is drawn from it, so it does not move when images are added or skipped.
    public var imageID: Int = 0
}

/// An image a loader left out, and why (shown to the user and kept in the prepared data).
public struct SkippedImage: Sendable, Equatable {
    /// The image file, or `#id` when the annotations name an image the list does not hold.
    public var image: String
    public var reason: String

    public init(image: String, reason: String) { self.image = image; self.reason = reason }
}

/// What a loader read: the usable examples (sorted by image id), the vocabulary, and the images it
/// left out with their reasons. Bad data inside a well-formed file is skipped, never fatal.
public struct LoadedDataset: Sendable {
    public var examples: [DatasetExample]
    public var vocabulary: Vocabulary
    public var skipped: [SkippedImage]
}

/// Reads a JSON file that must hold a value of the given shape; errors name the file and field.
func loadJSON<T>(_ url: URL, as: T.Type, what: String) throws -> T {
    let data: Data
    do { data = try Data(contentsOf: url) } catch {
        throw SceneGraphError(file: url.path, message: "cannot read: \(error.localizedDescription)")
    }
    let object: Any
    do { object = try JSONSerialization.jsonObject(with: data) } catch {
        throw SceneGraphDecoder.syntaxError(error, data: data, source: url.path)
    }
    guard let value = object as? T else { throw SceneGraphError(file: url.path, message: "expected \(what)") }
    return value
}

/// Number of a JSON field as Double.
func number(_ value: Any?) -> Double? { (value as? NSNumber).map { $0.doubleValue } }

/// A pixel box [x, y, w, h] of a `width`×`height` image as fractions, or why it cannot be one:
/// empty, or reaching more than a pixel past the image (annotation tools round to the pixel).
func fractionBox(x: Double, y: Double, w: Double, h: Double, width: Int, height: Int) -> Result<Box, BoxProblem> {
    let (W, H) = (Double(width), Double(height))
    guard w > 0, h > 0 else { return .failure(BoxProblem(text: "is empty")) }
    guard x >= -1, y >= -1, x + w <= W + 1, y + h <= H + 1 else {
        return .failure(BoxProblem(text: "lies outside the \(width)×\(height) image"))
    }
    func clamp(_ v: Double) -> Double { min(max(v, 0), 1) }
    return .success(Box(x0: clamp(x / W), y0: clamp(y / H), x1: clamp((x + w) / W), y1: clamp((y + h) / H)))
}

/// Why a box was refused.
struct BoxProblem: Error { let text: String }

/// The reason an image with `count` kept objects falls outside `range`, or nil when it does not.
func objectCountProblem(_ count: Int, _ range: ClosedRange<Int>, after: String) -> String? {
    let objects = count == 1 ? "1 object" : "\(count) objects"
    if count < range.lowerBound { return "\(objects)\(after), fewer than the minimum \(range.lowerBound)" }
    if count > range.upperBound { return "\(objects)\(after), more than the maximum \(range.upperBound)" }
    return nil
}

/// A number printed without a trailing ".0" (boxes in reasons).
func compact(_ v: Double) -> String { v == v.rounded() && abs(v) < 1e15 ? String(Int(v)) : String(v) }

/// sg2im's relation synthesis: for each object one other at random, labelled by the geometric
/// rules from their boxes (a pair at most once).
func synthesiseRelations(_ boxes: [Box], rng: inout SplitMix64) -> [Relationship] {
    guard boxes.count > 1 else { return [] }
    var result: [Relationship] = [], seen = Set<[Int]>()
    for i in boxes.indices {
        var j = Int(rng.next() % UInt64(boxes.count - 1))
        if j >= i { j += 1 }
        if seen.insert([min(i, j), max(i, j)]).inserted {
            result.append(Relationship(i, geometricRelation(subject: boxes[i], object: boxes[j]), j))
        }
    }
    return result
}
