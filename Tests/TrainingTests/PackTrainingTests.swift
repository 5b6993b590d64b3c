import Datasets
import Foundation
import NN
import SceneGraphs
import ShapeWorld
import Testing
@testable import Training

/// `train --data` and `pretrain --data`: runs read a prepared pack instead of rendering scenes.
@Suite struct PackTrainingTests {
    /// A pack of 40 ShapeWorld scenes exported as COCO at 16 px, 20% held out.
    func preparedPack(_ name: String) throws -> URL {
        let root = TinyRun.folder(name)
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let export = root.appendingPathComponent("coco"), out = root.appendingPathComponent("data")
        try ShapeWorldExport(format: .coco, renderer: ShapeWorldRenderer(size: 16), seed: 4, count: 40).write(to: export)
        var options = PreparationOptions(source: .coco, annotations: [export.appendingPathComponent("annotations/instances.json")],
                                         images: export.appendingPathComponent("images"), size: 16, objectsPerImage: 1...8)
        options.minimumObjectArea = 0; options.heldOutShare = 0.2
        try DatasetPreparation.run(options, out: out, showProgress: false)
        return out
    }

    @Test func denoiserTrainsOnThePacksExamplesAndResumesExactly() throws {
        let pack = try preparedPack("pack-train")
        let whole = TinyRun.folder("pack-whole"), parts = TinyRun.folder("pack-parts")
        let config = try TinyRun.configFile(near: whole)
        defer { for u in [pack.deletingLastPathComponent(), whole, parts, config] { try? FileManager.default.removeItem(at: u) } }
        let overrides = ["train.steps=5", "data.pack=\(pack.path)"]
        let a = try DenoiserTrainingLaunch(config: config, encoder: nil, out: whole, resume: false, overrides: overrides).prepare()
        let dataset = try PackedDataset(contentsOf: pack)
        #expect(a.task.vocabulary == dataset.vocabulary)
        // The first batch is the pack's stream, not rendered scenes.
        var stream = PackedBatches(dataset: dataset, seed: a.task.data.seed)
        let expected = stream.next(a.task.recipe.batch).graphs
        let drawn = a.task.packed!.next(0..<a.task.recipe.batch, of: a.task.recipe.batch).graphs
        #expect(drawn == expected && expected.allSatisfy { g in dataset.graphs.firstIndex(of: g).map { !dataset.heldOut[$0] } == true })
        a.task.packed!.nextIndex = 0
        #expect(try a.run.run() == .finished)
        #expect(try String(contentsOf: whole.appendingPathComponent("config.yaml"), encoding: .utf8).contains("pack: \"\(pack.path)\""))

        let b = try DenoiserTrainingLaunch(config: config, encoder: nil, out: parts, resume: false, overrides: overrides).prepare()
        #expect(try b.run.stopping(at: 3).run() == .stopped(step: 3))
        let c = try DenoiserTrainingLaunch(config: nil, encoder: nil, out: parts, resume: true, overrides: []).prepare()
        #expect(c.task.packed?.nextIndex == 3 * c.task.recipe.batch)
        #expect(try c.run.run(resumedAt: c.resumedAt) == .finished)
        #expect(try TinyRun.losses(parts) == TinyRun.losses(whole))
    }

    @Test func aPackOfAnotherSizeOrARealSourceWithoutOneIsRefused() throws {
        let pack = try preparedPack("pack-size")
        let run = TinyRun.folder("pack-size-run")
        let config = try TinyRun.configFile(near: run)
        defer { for u in [pack.deletingLastPathComponent(), run, config] { try? FileManager.default.removeItem(at: u) } }
        do {
            _ = try DenoiserTrainingLaunch(config: config, encoder: nil, out: run, resume: false, overrides: ["data.size=32", "data.pack=\(pack.path)"]).prepare()
            Issue.record("expected an error")
        } catch { #expect("\(error)".contains("data.size: 32, but \(pack.path) holds 16×16 images")) }
        do {
            _ = try PretrainingLaunch(config: config, out: run, resume: false, loss: nil,
                                      overrides: ["data.source=coco", "data.annotations=a.json", "data.images=im"]).prepare()
            Issue.record("expected an error")
        } catch { #expect("\(error)".contains("coco is read from a prepared data set")) }
        #expect(!FileManager.default.fileExists(atPath: run.path))
    }

    @Test func pretrainingDrawsThePackAndEvaluatesOnItsHeldOutPairs() throws {
        let pack = try preparedPack("pack-pretrain")
        let run = TinyRun.folder("pack-pretrain-run")
        let config = try TinyRun.configFile(near: run, text: TinyRun.config + "\npretrain:\n  batch: 4\n  steps: 2\n  eval_pairs: 100\n  image_encoder:\n    width: 16\n    depth: 1\n    heads: 2\n")
        defer { for u in [pack.deletingLastPathComponent(), run, config] { try? FileManager.default.removeItem(at: u) } }
        let a = try PretrainingLaunch(config: config, out: run, resume: false, loss: nil, overrides: ["data.pack=\(pack.path)"]).prepare()
        let dataset = try PackedDataset(contentsOf: a.task.data.pack.map { URL(fileURLWithPath: $0) }!)
        #expect(a.task.evaluation.graphs == dataset.heldOutIndices.map { dataset.graphs[$0] })
        #expect(try a.run.run() == .finished)
        #expect(a.task.packed?.nextIndex == 2 * a.task.recipe.batch)
    }
}
