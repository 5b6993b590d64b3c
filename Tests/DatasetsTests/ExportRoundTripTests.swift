import Foundation
import Media
import SceneGraphs
import ShapeWorld
import Testing
@testable import Datasets

/// Every export, read back by its loader (and through `prepare`), gives the generator's graphs.
@Suite struct ExportRoundTripTests {
    let renderer = ShapeWorldRenderer(size: 32, minObjects: 2, maxObjects: 4, nestedProbability: 0.25)
    let seed: UInt64 = 11
    let count = 24

    /// The generator's graphs, rendered afresh (not read from the export).
    var generated: [SceneGraph] { (0..<count).map { renderer.scene(seed: seed, index: $0).graph } }

    func export(_ format: ExportFormat, into folder: TemporaryFolder) throws -> URL {
        let out = folder.url.appendingPathComponent(format.rawValue)
        try ShapeWorldExport(format: format, renderer: renderer, seed: seed, count: count).write(to: out)
        return out
    }

    func options(_ format: ExportFormat, _ out: URL) -> PreparationOptions {
        let (source, annotations): (DatasetSource, URL) = switch format {
        case .coco: (.coco, out.appendingPathComponent("annotations/instances.json"))
        case .vg: (.vg, out)
        case .folder: (.folder, out.appendingPathComponent("graphs.jsonl"))
        }
        var o = PreparationOptions(source: source, annotations: [annotations], images: out.appendingPathComponent("images"), size: 32,
                                   objectsPerImage: 1...8)
        o.minimumObjectArea = 0; o.minimumObjectCount = 1; o.minimumPredicateCount = 1; o.heldOutShare = 0.25
        return o
    }

    /// Objects and boxes equal; relations equal where the schema stores them (vg, folder), and where
    /// it does not (coco) every synthesised relation is the geometric rule on the generator's boxes.
    func expectSameGraphs(_ rebuilt: [SceneGraph], _ format: ExportFormat) {
        #expect(rebuilt.count == count)
        for (g, want) in zip(rebuilt, generated) {
            #expect(g.objects == want.objects)
            #expect(g.boxes == want.boxes)
            if format == .coco {
                #expect(!g.relationships.isEmpty)
                for r in g.relationships {
                    #expect(r.predicate == geometricRelation(subject: want.boxes![r.subject], object: want.boxes![r.object]))
                }
            } else {
                #expect(g.relationships == want.relationships)
            }
        }
    }

    @Test(arguments: ExportFormat.allCases)
    func loaderRebuildsTheGeneratorsGraphs(format: ExportFormat) throws {
        let folder = try TemporaryFolder("roundtrip")
        defer { folder.remove() }
        let loaded = try DatasetPreparation.load(options(format, try export(format, into: folder)))
        #expect(loaded.skipped.isEmpty)
        expectSameGraphs(loaded.examples.map(\.graph), format)
        #expect(loaded.examples.map(\.imageID) == Array(1...count))
        // COCO's categories are ShapeWorld's classes in their order, so the vocabulary is ShapeWorld's.
        if format == .coco { #expect(loaded.vocabulary == .shapeWorld) }
    }

    @Test(arguments: ExportFormat.allCases)
    func preparedPackHoldsTheGraphsAndCheckableImages(format: ExportFormat) throws {
        let folder = try TemporaryFolder("pack")
        defer { folder.remove() }
        let out = folder.url.appendingPathComponent("data")
        let report = try DatasetPreparation.run(options(format, try export(format, into: folder)), out: out, showProgress: false)
        #expect(report.examples == count && report.skipped.isEmpty)
        let pack = try PackedDataset(contentsOf: out)
        #expect(pack.size == 32 && pack.count == count && pack.source == (format == .vg ? "vg" : format.rawValue))
        expectSameGraphs(pack.graphs, format)
        #expect(pack.heldOut == pack.imageIDs.map { HeldOutSplit.isHeldOut(imageID: $0, share: 0.25) })
        // After JPEG and back, the checker reads the scenes as it reads the rendered pixels.
        var packed = CheckMetrics(), rendered = CheckMetrics()
        for i in 0..<pack.count {
            let scene = renderer.scene(seed: seed, index: i)
            let pixels = Array(pack.pixels(i))
            packed.add(SceneChecker().check(rgb: pixels, width: 32, height: 32, graph: scene.graph))
            rendered.add(SceneChecker().check(rgb: scene.pixels, width: 32, height: 32, graph: scene.graph))
            let meanError = zip(pixels, scene.pixels).map { abs(Int($0) - Int($1)) }.reduce(0, +) / pixels.count
            #expect(meanError <= 4, "image \(i): mean error \(meanError) after JPEG")
        }
        #expect(packed.objectRecall == rendered.objectRecall && packed.relationAccuracy == rendered.relationAccuracy)
        #expect(packed.objectRecall >= 0.95)
    }
}

/// `shapeworld render`'s folder (PNGs + graphs.jsonl) is a `folder` data set as it is: PNG is
/// lossless, so the pack holds the rendered pixels exactly.
@Suite struct RenderedFolderTests {
    @Test func pngFolderPacksTheRenderedPixelsExactly() throws {
        let folder = try TemporaryFolder("png")
        defer { folder.remove() }
        let renderer = ShapeWorldRenderer(size: 32)
        var lines: [String] = []
        for i in 0..<6 {
            var scene = renderer.scene(seed: 21, index: i)
            let name = String(format: "%06d.png", i)
            try PNGCodec.write(try ByteImage(width: 32, height: 32, channels: 3, pixels: scene.pixels), to: folder.url.appendingPathComponent(name))
            scene.graph.image = name
            lines.append(try scene.graph.jsonLine())
        }
        let jsonl = folder.url.appendingPathComponent("graphs.jsonl")
        try Data(lines.joined(separator: "\n").utf8).write(to: jsonl)
        let out = folder.url.appendingPathComponent("data")
        let options = PreparationOptions(source: .folder, annotations: [jsonl], images: folder.url, size: 32, objectsPerImage: 1...8)
        try DatasetPreparation.run(options, out: out, showProgress: false)
        let pack = try PackedDataset(contentsOf: out)
        for i in 0..<6 {
            let scene = renderer.scene(seed: 21, index: i)
            #expect(Array(pack.pixels(i)) == scene.pixels)
            #expect(pack.graphs[i].objects == scene.graph.objects && pack.graphs[i].relationships == scene.graph.relationships)
        }
    }
}
