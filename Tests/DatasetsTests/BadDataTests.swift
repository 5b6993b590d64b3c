import Foundation
import SceneGraphs
import ShapeWorld
import Testing
@testable import Datasets

/// Issue 31's bad data: each case skipped and listed with its reason, never fatal; annotations
/// that are not COCO: one line naming file and field, and no output at all.
@Suite struct BadDataTests {
    let renderer = ShapeWorldRenderer(size: 32, minObjects: 2, maxObjects: 4)

    /// A COCO export of 8 scenes (ids 1–8), then broken: image 2 deleted, image 3 cut in half,
    /// image 4 given an unknown category, image 5 a box outside the image, image 6 left with one
    /// object (the minimum is 2). Images 1, 7 and 8 are untouched.
    func brokenExport(in folder: TemporaryFolder) throws -> PreparationOptions {
        let out = folder.url.appendingPathComponent("coco")
        try ShapeWorldExport(format: .coco, renderer: renderer, seed: 5, count: 8).write(to: out)
        let images = out.appendingPathComponent("images"), json = out.appendingPathComponent("annotations/instances.json")
        try FileManager.default.removeItem(at: images.appendingPathComponent("000002.jpg"))
        let third = try Data(contentsOf: images.appendingPathComponent("000003.jpg"))
        try third.prefix(third.count / 2).write(to: images.appendingPathComponent("000003.jpg"))
        var root = try JSONSerialization.jsonObject(with: Data(contentsOf: json)) as! [String: Any]
        var annotations = root["annotations"] as! [[String: Any]]
        let ofImage = { (id: Int) in annotations.indices.filter { (annotations[$0]["image_id"] as! NSNumber).intValue == id } }
        annotations[ofImage(4)[0]]["category_id"] = 999
        annotations[ofImage(5)[0]]["bbox"] = [20, 20, 20, 20]
        let dropped = Set(ofImage(6).dropFirst())
        annotations = annotations.indices.filter { !dropped.contains($0) }.map { annotations[$0] }
        root["annotations"] = annotations
        try JSONSerialization.data(withJSONObject: root).write(to: json)
        var options = PreparationOptions(source: .coco, annotations: [json], images: images, size: 32, objectsPerImage: 2...8)
        options.minimumObjectArea = 0
        return options
    }

    @Test func eachBadImageIsSkippedWithItsReason() throws {
        let folder = try TemporaryFolder("bad")
        defer { folder.remove() }
        let out = folder.url.appendingPathComponent("data")
        let report = try DatasetPreparation.run(try brokenExport(in: folder), out: out, showProgress: false)
        let reasons = Dictionary(uniqueKeysWithValues: report.skipped.map { ($0.image, $0.reason) })
        #expect(reasons["000002.jpg"] == "missing image file")
        #expect(reasons["000003.jpg"] == "truncated JPEG (no end-of-image marker)")
        #expect(reasons["000004.jpg"]?.hasSuffix("unknown category id 999") == true)
        #expect(reasons["000005.jpg"]?.hasSuffix("bbox [20, 20, 20, 20] lies outside the 32×32 image") == true)
        #expect(reasons["000006.jpg"]?.hasPrefix("1 object after") == true && reasons["000006.jpg"]?.contains("fewer than the minimum 2") == true)
        #expect(report.skipped.map(\.image) == ["000002.jpg", "000003.jpg", "000004.jpg", "000005.jpg", "000006.jpg"])
        let pack = try PackedDataset(contentsOf: out)
        #expect(pack.imageIDs == [1, 7, 8])
        #expect(pack.graphs.map(\.objects) == [1, 7, 8].map { renderer.scene(seed: 5, index: $0 - 1).graph.objects })
        #expect(pack.skipped == report.skipped)
        let listed = try String(contentsOf: out.appendingPathComponent(PackedDatasetFormat.skippedFileName), encoding: .utf8)
        #expect(listed.split(separator: "\n").count == 5 && listed.contains("000002.jpg\tmissing image file"))
    }

    @Test func annotationsThatAreNotCOCOAreOneLineAndWriteNothing() throws {
        let folder = try TemporaryFolder("notcoco")
        defer { folder.remove() }
        let json = folder.url.appendingPathComponent("instances.json")
        try Data(#"{"info": {}, "images": [], "categories": []}"#.utf8).write(to: json)
        let out = folder.url.appendingPathComponent("data")
        let options = PreparationOptions(source: .coco, annotations: [json], images: folder.url, size: 32, objectsPerImage: 2...8)
        do {
            try DatasetPreparation.run(options, out: out, showProgress: false)
            Issue.record("expected an error")
        } catch {
            #expect("\(error)" == "\(json.path): annotations: missing (not a COCO annotation file)")
        }
        // Neither the folder nor a staging sibling is left behind.
        #expect(folder.contents == ["instances.json"])
    }

    @Test func aTruncatedJPEGIsToldFromAWholeOne() throws {
        let jpeg = try JPEGEncoder(width: 16, height: 16).encode(try .init(width: 16, height: 16, channels: 3, fill: 90))
        #expect(SourceImageReading.jpegProblem(Data(jpeg)) == nil)
        #expect(SourceImageReading.jpegProblem(Data(jpeg + [0, 0])) == nil)
        #expect(SourceImageReading.jpegProblem(Data(jpeg.dropLast(2))) != nil)
        #expect(SourceImageReading.jpegProblem(Data([0x89, 0x50, 0x4E, 0x47])) == nil)   // not a JPEG: FFmpeg judges it
    }
}
