import Foundation

/// One example of a real data set: the graph (with normalised boxes and the image file name).
public struct DatasetExample: Sendable, Equatable {
    public var graph: SceneGraph
    public var imageWidth: Int
    public var imageHeight: Int
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
