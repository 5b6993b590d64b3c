import Foundation
import Testing
@testable import SceneGraphs

let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures")

@Suite struct DatasetLoaderTests {
    @Test func cocoStuffFiltersAndSynthesisesRelations() throws {
        let (examples, vocabulary) = try COCOStuffLoader(seed: 1).load(instances: fixtures.appendingPathComponent("coco/instances.json"),
                                                                       stuff: fixtures.appendingPathComponent("coco/stuff.json"))
        // Image 1: person, car, grass, sky (the 1-px car is under 2% and "other" is dropped);
        // image 2 has one object and image 3 two: both under the minimum of three.
        #expect(examples.count == 1)
        let g = examples[0].graph
        #expect(g.image == "000000000001.jpg")
        #expect(g.objects == ["person", "car", "grass", "sky-other"])
        #expect(g.boxes?[0] == Box(x0: 0.1, y0: 0.1, x1: 0.3, y1: 0.4))
        #expect(!g.relationships.isEmpty)
        for r in g.relationships { #expect(r.predicate == geometricRelation(subject: g.boxes![r.subject], object: g.boxes![r.object])) }
        #expect(vocabulary.objectID("car") != nil && vocabulary.objectID("other") == nil)
        try SceneGraphValidator(vocabulary: vocabulary, maxObjects: 8).validate(g, source: "coco")
    }

    @Test func visualGenomeKeepsFrequentNamesAndValidRelations() throws {
        let (examples, vocabulary) = try VisualGenomeLoader(minimumObjectCount: 2, minimumPredicateCount: 2, objectsPerImage: 2...10)
            .load(folder: fixtures.appendingPathComponent("vg"))
        // "tree" and "man" occur twice, "dog" and "kite" once; "near" three times, others once.
        #expect(vocabulary.objectNames == ["__image__", "man", "tree"])
        #expect(vocabulary.predicateNames == ["__in_image__", "near"])
        #expect(examples.map(\.graph.image) == ["1.jpg", "2.jpg"])
        #expect(examples[0].graph.objects == ["tree", "man"])
        #expect(examples[0].graph.relationships.isEmpty)          // both relations involved dropped objects
        #expect(examples[1].graph.relationships == [Relationship(1, "near", 0)])
        #expect(examples[1].graph.boxes?[1] == Box(x0: 0.5, y0: 0.5, x1: 0.75, y1: 0.75))
    }

    @Test func malformedAnnotationFilesNameTheProblem() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("vg-bad-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data("[{\"image_id\": 1, \"width\": 10}]".utf8).write(to: folder.appendingPathComponent("image_data.json"))
        do {
            _ = try VisualGenomeLoader().load(folder: folder)
            Issue.record("expected an error")
        } catch let e as SceneGraphError {
            #expect(e.description.hasSuffix("image_data.json: [0]: needs image_id, width and height"))
        }
    }
}
