import Foundation
import Testing
@testable import SceneGraphs

/// The loaders leave bad images out with a reason instead of failing the whole set.
@Suite struct SkippedImagesTests {
    func folder(_ files: [String: String]) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("skipped-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        for (name, text) in files { try Data(text.utf8).write(to: url.appendingPathComponent(name)) }
        return url
    }

    @Test func cocoFixtureListsWhatItDrops() throws {
        let loaded = try COCOStuffLoader(seed: 1).loadReporting(instances: fixtures.appendingPathComponent("coco/instances.json"),
                                                                 stuff: fixtures.appendingPathComponent("coco/stuff.json"))
        // Images 2 and 3 keep one and two objects: under the minimum of three.
        #expect(loaded.skipped.map(\.image) == ["000000000002.jpg", "000000000003.jpg"])
        #expect(loaded.skipped[0].reason.hasPrefix("1 object after dropping boxes of at most 2% of the image"))
        #expect(loaded.skipped[1].reason.hasSuffix("fewer than the minimum 3"))
    }

    @Test func visualGenomeSkipsAnImageWithABoxOutsideIt() throws {
        let url = try folder([
            "image_data.json": #"[{"image_id": 1, "width": 100, "height": 100}, {"image_id": 2, "width": 100, "height": 100}]"#,
            "objects.json": #"""
                [{"image_id": 1, "objects": [{"object_id": 1, "names": ["a"], "x": 0, "y": 0, "w": 10, "h": 10},
                                             {"object_id": 2, "names": ["b"], "x": 90, "y": 50, "w": 30, "h": 10}]},
                 {"image_id": 2, "objects": [{"object_id": 3, "names": ["a"], "x": 0, "y": 0, "w": 10, "h": 10},
                                             {"object_id": 4, "names": ["b"], "x": 50, "y": 50, "w": 10, "h": 10}]}]
                """#,
            "relationships.json": #"[{"image_id": 2, "relationships": [{"predicate": "near", "subject": {"object_id": 3}, "object": {"object_id": 4}}]}]"#,
        ])
        defer { try? FileManager.default.removeItem(at: url) }
        let loaded = try VisualGenomeLoader(minimumObjectCount: 1, minimumPredicateCount: 1, objectsPerImage: 2...10).loadReporting(folder: url)
        #expect(loaded.skipped == [SkippedImage(image: "1.jpg", reason: "objects.json [0].objects[1]: box [90, 50, 30, 10] lies outside the 100×100 image")])
        #expect(loaded.examples.map(\.imageID) == [2])
        #expect(loaded.examples[0].graph.relationships == [Relationship(0, "near", 1)])
    }

    @Test func graphFolderTakesGraphsAsWrittenAndSkipsBadOnes() throws {
        let url = try folder(["graphs.jsonl": """
            {"objects": ["cat", "mat"], "relationships": [[0, "on", 1]], "boxes": [[0.1, 0.1, 0.5, 0.5], [0, 0.5, 1, 1]], "image": "a.jpg"}
            {"objects": ["cat", "mat"], "relationships": [], "image": "b.jpg", "boxes": [[0.1, 0.1, 1.5, 0.5], [0, 0.5, 1, 1]]}
            {"objects": ["cat"], "relationships": []}
            {"objects": ["cat", "mat"], "relationships": [[0, "on", 0]], "image": "c.jpg"}
            """])
        defer { try? FileManager.default.removeItem(at: url) }
        let loaded = try GraphFolderLoader(objectsPerImage: 1...8).loadReporting(graphs: url.appendingPathComponent("graphs.jsonl"))
        #expect(loaded.examples.map(\.imageID) == [1])
        #expect(loaded.examples[0].graph.relationships == [Relationship(0, "on", 1)])
        #expect(loaded.vocabulary.objectNames == ["__image__", "cat", "mat"] && loaded.vocabulary.predicateNames == ["__in_image__", "on"])
        #expect(loaded.skipped.map(\.image) == ["b.jpg", "graphs.jsonl:3", "c.jpg"])
        #expect(loaded.skipped[0].reason == "graphs.jsonl:2: boxes[0] [0.1, 0.1, 1.5, 0.5] lies outside the image (0…1)")
        #expect(loaded.skipped[1].reason == "graphs.jsonl:3: image: missing")
        #expect(loaded.skipped[2].reason == "graphs.jsonl:4: relationships[0]: object 0 is related to itself")
    }
}
