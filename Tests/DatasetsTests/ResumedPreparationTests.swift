import Foundation
import ShapeWorld
import Testing
@testable import Datasets

/// A killed `prepare` leaves no output but keeps its decoded chunks; the same command continues
/// from them and writes the same pack as an uninterrupted run.
@Suite struct ResumedPreparationTests {
    func export(_ name: String, in folder: TemporaryFolder) throws -> PreparationOptions {
        let out = folder.url.appendingPathComponent(name)
        try ShapeWorldExport(format: .folder, renderer: ShapeWorldRenderer(size: 16), seed: 8, count: 12).write(to: out)
        var options = PreparationOptions(source: .folder, annotations: [out.appendingPathComponent("graphs.jsonl")],
                                         images: out.appendingPathComponent("images"), size: 16, objectsPerImage: 1...8)
        options.heldOutShare = 0.25
        return options
    }

    @Test func aKilledRunContinuesFromItsChunksAndWritesTheSamePack() throws {
        let folder = try TemporaryFolder("resume")
        defer { folder.remove() }
        let whole = folder.url.appendingPathComponent("whole"), parts = folder.url.appendingPathComponent("parts")
        try DatasetPreparation.run(try export("a", in: folder), out: whole, showProgress: false, chunk: 4, stopAfterChunks: nil)

        let options = try export("b", in: folder)
        #expect(throws: DatasetPreparation.Stopped.self) {
            try DatasetPreparation.run(options, out: parts, showProgress: false, chunk: 4, stopAfterChunks: 2)
        }
        #expect(!FileManager.default.fileExists(atPath: parts.path))
        let cache = folder.url.appendingPathComponent(".parts.prepare-cache")
        #expect(FileManager.default.fileExists(atPath: cache.appendingPathComponent("chunk-000001.json").path))
        // The first two chunks' images are gone: only their cached copies can fill the pack.
        for id in 1...8 { try FileManager.default.removeItem(at: options.images.appendingPathComponent(String(format: "%06d.jpg", id))) }
        let report = try DatasetPreparation.run(options, out: parts, showProgress: false, chunk: 4, stopAfterChunks: nil)
        #expect(report.reused == 8 && report.decoded == 4 && report.skipped.isEmpty)
        let a = try Data(contentsOf: whole.appendingPathComponent(PackedDatasetFormat.fileName))
        let b = try Data(contentsOf: parts.appendingPathComponent(PackedDatasetFormat.fileName))
        // The headers name their own annotation paths (a/ and b/): the images must be equal byte for byte.
        let imageBytes = PackedDatasetFormat.imagesOffset + 12 * 16 * 16 * 3
        #expect(a.prefix(imageBytes).dropFirst(24) == b.prefix(imageBytes).dropFirst(24))
        #expect(try PackedDataset(contentsOf: whole).graphs == PackedDataset(contentsOf: parts).graphs)
        #expect(!FileManager.default.fileExists(atPath: cache.path))
    }

    @Test func otherOptionsStartTheCacheAfresh() throws {
        let folder = try TemporaryFolder("rekey")
        defer { folder.remove() }
        var options = try export("a", in: folder)
        let out = folder.url.appendingPathComponent("data")
        #expect(throws: DatasetPreparation.Stopped.self) {
            try DatasetPreparation.run(options, out: out, showProgress: false, chunk: 4, stopAfterChunks: 1)
        }
        options.heldOutShare = 0.5
        let report = try DatasetPreparation.run(options, out: out, showProgress: false, chunk: 4, stopAfterChunks: nil)
        #expect(report.reused == 0 && report.decoded == 12)
    }
}
