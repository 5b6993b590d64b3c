import Foundation
import Testing
@testable import SceneGraphs

@Suite struct DecodingAndValidationTests {
    let vocabulary = try! Vocabulary(objects: ["__image__", "red circle", "blue square", "green triangle"],
                                     predicates: ["__in_image__", "left of", "right of", "above", "below", "inside", "surrounding"])
    var validator: SceneGraphValidator { SceneGraphValidator(vocabulary: vocabulary, maxObjects: 3) }

    func message(_ json: String, validate: Bool = true) -> String {
        do {
            let doc = try SceneGraphDecoder.decode(Data(json.utf8), source: "g.json")
            if validate { try validator.validate(doc, source: "g.json") }
            return "no error"
        } catch { return "\(error)" }
    }

    @Test func decodesGraphListAndFrames() throws {
        let one = try SceneGraphDecoder.decode(Data(#"{"objects": ["red circle", "blue square"], "relationships": [[0, "left of", 1]]}"#.utf8), source: "a")
        #expect(one == .graph(SceneGraph(objects: ["red circle", "blue square"], relationships: [Relationship(0, "left of", 1)])))
        let list = try SceneGraphDecoder.decode(Data(#"[{"objects": ["red circle"]}, {"objects": ["blue square"], "boxes": [[0, 0, 0.5, 0.5]]}]"#.utf8), source: "b")
        #expect(list.graphs.count == 2 && list.graphs[1].boxes == [Box(x0: 0, y0: 0, x1: 0.5, y1: 0.5)])
        let frames = try SceneGraphDecoder.decode(Data(#"{"frames": [{"objects": ["red circle"]}, {"objects": ["red circle"]}]}"#.utf8), source: "c")
        #expect(frames.graphs.count == 2)
        if case .sequence = frames {} else { Issue.record("expected a sequence") }
    }

    @Test func malformedJSONGivesLineAndColumn() {
        #expect(message("{\"objects\": [\"red circle\",\n  x]}") == "g.json:2:3: malformed JSON: invalid JSON")
        #expect(message("[{\"objects\": [\"red circle\"]").hasPrefix("g.json:1:"))
        #expect(message("[{\"objects\": [\"red circle\"]").contains("unexpected end of file"))
    }

    @Test func unknownNamesSuggestTheNearest() {
        #expect(message(#"{"objects": ["red circel", "blue square"]}"#)
                .hasPrefix(#"g.json: objects[0]: unknown object "red circel"; nearest: "red circle", "#))
        #expect(message(#"{"objects": ["red circle", "blue square"], "relationships": [[0, "leftof", 1]]}"#)
                .contains(#"relationships[0][1]: unknown predicate "leftof"; nearest: "left of""#))
    }

    @Test func everyStructuralProblemIsNamed() {
        #expect(message(#"{"objects": ["red circle"], "relationships": [[0, "left of", 4]]}"#)
                == "g.json: relationships[0][2]: index 4 out of range (the graph has objects 0…0)")
        #expect(message(#"{"objects": ["red circle", "blue square"], "relationships": [[1, "left of", 1]]}"#)
                == "g.json: relationships[0]: object 1 is related to itself")
        #expect(message(#"{"objects": ["red circle", "blue square"], "relationships": [[0, "above", 1], [0, "above", 1]]}"#)
                == "g.json: relationships[1]: duplicate of an earlier relationship")
        #expect(message(#"{"objects": []}"#) == "g.json: objects: the graph is empty (no objects)")
        #expect(message(#"{"objects": ["red circle", "red circle", "blue square", "blue square"]}"#)
                == "g.json: objects: 4 objects, but the model takes at most 3")
        #expect(message(#"[{"objects": ["red circle"]}, {"objects": "x"}]"#) == "g.json: graph 1: objects: expected a list of object names")
        #expect(message(#"{"objects": ["red circle"], "relationships": [[0, 1, 0]]}"#) == "g.json: relationships[0][1]: predicate must be a string")
        #expect(message(#"{"frames": [{"objects": ["red circle"]}, {"objects": ["blue square"]}]}"#)
                == "g.json: graph 1: frames[1].objects: frame objects differ from frame 0 (every frame must list the same objects in the same order)")
    }

    @Test func vocabularyRoundTripsThroughJSON() throws {
        let back = try Vocabulary(json: Data(vocabulary.jsonString().utf8), source: "vocab.json")
        #expect(back == vocabulary)
        #expect(throws: SceneGraphError.self) { try Vocabulary(objects: ["red circle"], predicates: ["__in_image__"]) }
    }

    @Test func batchingFollowsTheReferenceLayout() throws {
        let graphs = [SceneGraph(objects: ["red circle", "blue square"], relationships: [Relationship(0, "left of", 1)]),
                      SceneGraph(objects: ["green triangle"], relationships: [])]
        let b = try SceneGraphBatch(graphs, vocabulary: vocabulary)
        #expect(b.objects == [1, 2, 0, 3, 0])
        #expect(b.objectToImage == [0, 0, 0, 1, 1])
        #expect(b.triples == [0, 1, 1, 0, 0, 2, 1, 0, 2, 3, 0, 4])
        #expect(b.tripleToImage == [0, 0, 0, 1])
    }

    @Test func geometricRulesInOrder() {
        let center = Box(x0: 0.4, y0: 0.4, x1: 0.6, y1: 0.6)
        #expect(geometricRelation(subject: Box(x0: 0.0, y0: 0.4, x1: 0.2, y1: 0.6), object: center) == "left of")
        #expect(geometricRelation(subject: Box(x0: 0.8, y0: 0.4, x1: 1.0, y1: 0.6), object: center) == "right of")
        #expect(geometricRelation(subject: Box(x0: 0.4, y0: 0.0, x1: 0.6, y1: 0.2), object: center) == "above")
        #expect(geometricRelation(subject: Box(x0: 0.4, y0: 0.8, x1: 0.6, y1: 1.0), object: center) == "below")
        #expect(geometricRelation(subject: Box(x0: 0.1, y0: 0.1, x1: 0.9, y1: 0.9), object: center) == "surrounding")
        #expect(geometricRelation(subject: center, object: Box(x0: 0.1, y0: 0.1, x1: 0.9, y1: 0.9)) == "inside")
        // θ = −π/4 exactly (subject up-right): the boundary belongs to "right of".
        #expect(geometricRelation(subject: Box(x0: 0.6, y0: 0.2, x1: 0.8, y1: 0.4), object: center) == "right of")
        // Sharing an edge is not strict containment.
        #expect(geometricRelation(subject: Box(x0: 0.4, y0: 0.1, x1: 0.9, y1: 0.9), object: center) != "surrounding")
    }
}

@Suite struct GraphLinesTests {
    @Test func crlfFilesAreReadLineByLine() throws {
        let url = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("crlf-\(UUID().uuidString).jsonl")
        defer { try? FileManager.default.removeItem(at: url) }
        let line = #"{"objects": ["red circle"], "relationships": []}"#
        try Data((line + "\r\n\r\n" + line + "\r\n").utf8).write(to: url)
        #expect(try readGraphLines(url).map(\.line) == [1, 3])
    }
}
