import Foundation
import SceneGraphs
import Testing
@testable import ShapeWorld

@Suite struct ExampleGraphTests {
    @Test(arguments: ["two_shapes.json", "three_shapes.json", "nested_list.json", "crossing.frames.json"])
    func shippedExamplesAreValidForTheDefaultModel(name: String) throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("examples").appendingPathComponent(name)
        let document = try SceneGraphDecoder.decode(contentsOf: url)
        try SceneGraphValidator(vocabulary: .shapeWorld, maxObjects: 8).validate(document, source: name)
    }
}
