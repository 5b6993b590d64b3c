@testable import RunConfiguration
import Datasets
import Diffusion
import Foundation
import Testing
@testable import Training

/// The `data` section's real-data keys are checked like every other key.
@Suite struct RealDataConfigTests {
    func message(_ text: String, overrides: [String] = []) -> String {
        do {
            _ = try ConfigFile(text: text, source: "c.yaml", overrides: overrides).read { try DataConfiguration.parse(root: $0, source: $1) }
            return "no error"
        } catch { return "\(error)" }
    }

    @Test func realDataKeysAreCheckedAndLocated() {
        #expect(message("data:\n  size: 32\n  annotations: a.json\n")
                == "c.yaml:3: data.annotations: only for data.source coco, vg or folder (this config's source is shapeworld)")
        #expect(message("data:\n  source: coco\n") == "c.yaml:2: data.annotations: data.source coco needs data.annotations: the instances JSON")
        #expect(message("data:\n  source: vg\n  annotations: vg\n").hasPrefix("c.yaml:2: data.images: data.source vg needs data.images"))
        #expect(message("data:\n  source: cocoa\n").contains("data.source: expected one of shapeworld, coco, vg, folder"))
        #expect(message("data:\n  source: vg\n  annotations: vg\n  images: im\n  min_object_area: 0.1\n")
                == "c.yaml:5: data.min_object_area: only for data.source coco")
        #expect(message("data:\n  source: folder\n  annotations: g.jsonl\n", overrides: ["data.held_out=0.9"])
                .hasPrefix("override data.held_out=0.9: data.held_out: must lie in"))
        #expect(message("data:\n  source: folder\n  annotations: g.jsonl\n  max_objects: 12\n") == "no error")
        #expect(message("data:\n  max_objects: 12\n").contains("need 1 ≤ min_objects ≤ max_objects ≤ 8"))
    }

    @Test func resolvedRealDataSectionsReadBack() throws {
        var coco = DataConfiguration(); coco.source = .coco; coco.annotations = "i.json"; coco.stuff = "s.json"; coco.images = "im"
        coco.minObjects = 3; coco.maxObjects = 8; coco.minObjectArea = 0.05; coco.heldOut = 0.1; coco.size = 64
        var pack = DataConfiguration(); pack.size = 64; pack.seed = 7; pack.pack = "data/coco64"
        for data in [coco, pack] {
            let file = try ConfigFile(text: configurationYAML([data.section]), source: "resolved")
            #expect(try file.read { try DataConfiguration.parse(root: $0, source: $1) } == data)
        }
        // A ShapeWorld run's resolved section has exactly the keys it always had.
        #expect(DataConfiguration().section.values.map(\.0) == ["size", "min_objects", "max_objects", "nested", "seed", "eval_seed", "curriculum_steps"])
    }

    /// The shipped real-data config reads: every section, and prepare's options from it.
    @Test func coco64ConfigReads() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("configs/coco64.yaml")
        let file = try ConfigFile(url: url)
        let model = try file.model()
        #expect(model.encoder.objectClasses >= 172 && model.unet.multipliers.count == 4)
        _ = try file.read { try TrainingConfiguration.parse(root: $0, source: $1) }
        _ = try file.read { try PretrainingConfiguration.parse(root: $0, source: $1) }
        let options = try PrepareLaunch(config: url, out: URL(fileURLWithPath: "data/coco64"), overrides: []).options()
        #expect(options.source == .coco && options.size == 64 && options.annotations.count == 2 && options.objectsPerImage == 3...8)
    }

    @Test func prepareReadsItsOptionsFromTheConfig() throws {
        let config = TinyRun.folder("prepare-config").appendingPathExtension("yaml")
        defer { try? FileManager.default.removeItem(at: config) }
        try Data("data:\n  size: 64\n  source: coco\n  annotations: coco/instances.json\n  images: coco/train2017\n  min_objects: 3\n  max_objects: 8\n".utf8).write(to: config)
        let options = try PrepareLaunch(config: config, out: URL(fileURLWithPath: "data/x"), overrides: ["data.stuff=coco/stuff.json"]).options()
        #expect(options.source == .coco && options.size == 64 && options.objectsPerImage == 3...8)
        #expect(options.annotations.map(\.lastPathComponent) == ["instances.json", "stuff.json"])
        #expect(options.images.lastPathComponent == "train2017")
        let shapeworld = TinyRun.folder("prepare-sw").appendingPathExtension("yaml")
        defer { try? FileManager.default.removeItem(at: shapeworld) }
        try Data("data:\n  size: 32\n".utf8).write(to: shapeworld)
        #expect(throws: ConfigurationError.self) { _ = try PrepareLaunch(config: shapeworld, out: URL(fileURLWithPath: "data/x"), overrides: []).options() }
    }
}
