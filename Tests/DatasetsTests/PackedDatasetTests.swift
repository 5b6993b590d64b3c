import Foundation
import Media
import SceneGraphs
import ShapeWorld
import Testing
@testable import Datasets

@Suite struct PackedDatasetTests {
    @Test func squareResizeAveragesTheAreaItCovers() throws {
        // 4×2 grey → 2×2: each output pixel is the mean of a 2×1 block.
        let image = try ByteImage(width: 4, height: 2, channels: 1, pixels: [0, 100, 200, 50, 10, 20, 30, 40])
        var out = [UInt8](repeating: 0, count: 12)
        out.withUnsafeMutableBufferPointer { SquareResize.resize(image, to: 2, into: $0) }
        #expect(out == [50, 50, 50, 125, 125, 125, 15, 15, 15, 35, 35, 35])
        // 3 → 2 columns: the middle source column is split half and half.
        let row = try ByteImage(width: 3, height: 2, channels: 1, pixels: [30, 60, 90, 30, 60, 90])
        out.withUnsafeMutableBufferPointer { SquareResize.resize(row, to: 2, into: $0) }
        #expect(Array(out.prefix(6)) == [40, 40, 40, 80, 80, 80])
        // Same size: copied unchanged.
        let scene = ShapeWorldRenderer().scene(seed: 1, index: 0)
        var copy = [UInt8](repeating: 0, count: scene.pixels.count)
        copy.withUnsafeMutableBufferPointer { SquareResize.resize(try! ByteImage(width: 32, height: 32, channels: 3, pixels: scene.pixels), to: 32, into: $0) }
        #expect(copy == scene.pixels)
    }

    @Test func heldOutSplitDependsOnTheIDAlone() {
        let ids = Array(1...4000)
        let held = ids.filter { HeldOutSplit.isHeldOut(imageID: $0, share: 0.1) }
        #expect(held.count > 320 && held.count < 480)
        #expect(ids.reversed().filter { HeldOutSplit.isHeldOut(imageID: $0, share: 0.1) }.sorted() == held)
        #expect(!ids.contains { HeldOutSplit.isHeldOut(imageID: $0, share: 0) })
    }

    /// A pack of 40 exported scenes, 25% held out.
    func pack(in folder: TemporaryFolder) throws -> PackedDataset {
        let export = folder.url.appendingPathComponent("export"), out = folder.url.appendingPathComponent("data")
        try ShapeWorldExport(format: .folder, renderer: ShapeWorldRenderer(size: 16), seed: 3, count: 40).write(to: export)
        var options = PreparationOptions(source: .folder, annotations: [export.appendingPathComponent("graphs.jsonl")],
                                         images: export.appendingPathComponent("images"), size: 16, objectsPerImage: 1...8)
        options.heldOutShare = 0.25
        try DatasetPreparation.run(options, out: out, showProgress: false)
        return try PackedDataset(contentsOf: out)
    }

    @Test func batchesVisitEveryTrainingExampleOnceAnEpochAndNeverAHeldOutOne() throws {
        let folder = try TemporaryFolder("batches")
        defer { folder.remove() }
        let pack = try pack(in: folder)
        let training = pack.trainingIndices
        #expect(!training.isEmpty && training.count < pack.count)
        var stream = PackedBatches(dataset: pack, seed: 9)
        let first = (0..<training.count).map { stream.example(at: $0) }, second = (training.count..<(2 * training.count)).map { stream.example(at: $0) }
        #expect(first.sorted() == training && second.sorted() == training)
        #expect(first != second)   // a new order each epoch
        // Images in [−1, 1], planar per image, from the mapped bytes; a resumed cursor gives the same batch.
        var a = PackedBatches(dataset: pack, seed: 9)
        _ = a.next(5)
        var b = PackedBatches(dataset: pack, seed: 9, startIndex: 5)
        let (imagesA, graphsA) = a.next(3), (imagesB, graphsB) = b.next(3)
        #expect(imagesA == imagesB && graphsA == graphsB)
        let i = second[0], plane = 16 * 16
        var c = PackedBatches(dataset: pack, seed: 9, startIndex: training.count)
        let (image, graph) = c.next(1)
        #expect(graph == [pack.graphs[i]])
        #expect(image[plane + 7] == Float(pack.pixels(i)[3 * 7 + 1]) / 127.5 - 1)
    }

    @Test func aFileThatIsNotAPackIsOneError() throws {
        let folder = try TemporaryFolder("notpack")
        defer { folder.remove() }
        let file = folder.url.appendingPathComponent("x.pack")
        try Data(repeating: 7, count: 100).write(to: file)
        #expect(throws: PackedDatasetError(path: file.path, message: "not a prepared data set (no SGDPACK1 magic)")) { try PackedDataset(contentsOf: file) }
    }
}
