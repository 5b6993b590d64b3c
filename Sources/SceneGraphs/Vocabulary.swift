import Foundation

/// Object and predicate names with their ids, in sg2im's vocab.json layout. Id 0 is `__image__`
/// among objects and `__in_image__` among predicates.
public struct Vocabulary: Sendable, Equatable {
    public private(set) var objectNames: [String]
    public private(set) var predicateNames: [String]
    private var objectIndex: [String: Int]
    private var predicateIndex: [String: Int]

    public static let imageObject = "__image__"
    public static let inImagePredicate = "__in_image__"

    /// A vocabulary from id-ordered names; the special entries must come first.
    public init(objects: [String], predicates: [String]) throws {
        guard objects.first == Self.imageObject, predicates.first == Self.inImagePredicate else {
            throw SceneGraphError(file: "vocabulary", message: "id 0 must be \(Self.imageObject) (objects) and \(Self.inImagePredicate) (predicates)")
        }
        objectNames = objects; predicateNames = predicates
        objectIndex = Dictionary(objects.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        predicateIndex = Dictionary(predicates.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        guard objectIndex.count == objects.count, predicateIndex.count == predicates.count else {
            throw SceneGraphError(file: "vocabulary", message: "duplicate names")
        }
    }

    public func objectID(_ name: String) -> Int? { objectIndex[name] }
    public func predicateID(_ name: String) -> Int? { predicateIndex[name] }

    /// Up to `count` vocabulary names closest to `name` by edit distance (for "did you mean").
    public func nearestObjects(to name: String, count: Int = 3) -> [String] {
        Self.nearest(name, in: objectNames.dropFirst(), count: count)
    }

    public func nearestPredicates(to name: String, count: Int = 3) -> [String] {
        Self.nearest(name, in: predicateNames.dropFirst(), count: count)
    }

    static func nearest(_ name: String, in names: ArraySlice<String>, count: Int) -> [String] {
        let query = name.lowercased()
        let scored: [(name: String, distance: Int)] = names.map { ($0, editDistance(query, $0.lowercased())) }
        let ranked = scored.sorted { a, b in a.distance != b.distance ? a.distance < b.distance : a.name < b.name }
        return ranked.prefix(count).map { $0.name }
    }

    /// sg2im's vocab.json (object_idx_to_name, pred_idx_to_name; the name_to_idx maps are checked against them).
    public init(json data: Data, source: String) throws {
        guard let dict = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw SceneGraphError(file: source, message: "not a JSON object")
        }
        guard let objects = dict["object_idx_to_name"] as? [String], let predicates = dict["pred_idx_to_name"] as? [String] else {
            throw SceneGraphError(file: source, field: "object_idx_to_name", message: "object_idx_to_name and pred_idx_to_name must be lists of names")
        }
        try self.init(objects: objects, predicates: predicates)
        if let map = dict["object_name_to_idx"] as? [String: Int], map.contains(where: { objectIndex[$0.key] != $0.value }) {
            throw SceneGraphError(file: source, field: "object_name_to_idx", message: "disagrees with object_idx_to_name")
        }
        if let map = dict["pred_name_to_idx"] as? [String: Int], map.contains(where: { predicateIndex[$0.key] != $0.value }) {
            throw SceneGraphError(file: source, field: "pred_name_to_idx", message: "disagrees with pred_idx_to_name")
        }
    }

    /// The vocab.json form, as stored in checkpoint metadata.
    public func jsonString() -> String {
        let dict: [String: Any] = ["object_idx_to_name": objectNames, "pred_idx_to_name": predicateNames,
                                   "object_name_to_idx": objectIndex, "pred_name_to_idx": predicateIndex]
        let data = (try? JSONSerialization.data(withJSONObject: dict, options: [.sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }
}

/// Levenshtein distance.
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    if a.isEmpty { return b.count }
    var previous = Array(0...b.count), current = previous
    for i in 1...a.count {
        current[0] = i
        for j in 1..<(b.count + 1) {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        swap(&previous, &current)
    }
    return previous[b.count]
}
