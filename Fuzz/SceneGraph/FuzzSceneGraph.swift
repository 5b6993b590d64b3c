import Foundation
import FuzzSupport
import SceneGraphs

/// Any bytes either decode and validate as scene graphs or throw SceneGraphError; a crash,
/// hang or sanitizer report is a bug in the decoder or the validator.
@main enum FuzzSceneGraph {
    static func main() { fuzzMain(fuzzOne) }
}

private let validator: SceneGraphValidator = {
    guard let vocabulary = try? Vocabulary(
        objects: [Vocabulary.imageObject, "red circle", "blue square", "green triangle"],
        predicates: [Vocabulary.inImagePredicate, "left of", "right of", "above", "below", "inside"]) else {
        fatalError("the fuzz vocabulary is invalid")
    }
    return SceneGraphValidator(vocabulary: vocabulary, maxObjects: 8)
}()

private func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Data(bytes: $0, count: size) } ?? Data()
    do {
        let document = try SceneGraphDecoder.decode(bytes, source: "fuzz.json")
        try validator.validate(document, source: "fuzz.json")
    } catch is SceneGraphError {
        return 0
    } catch {
        fatalError("not a SceneGraphError: \(error)")
    }
    return 0
}
