import Foundation
import Media
import Output
import SceneGraphs
import ShapeWorld
import Tensors

/// The schemas `shapeworld export` writes ShapeWorld scenes in, so the real-data path can be run
/// and checked end to end without a download.
public enum ExportFormat: String, CaseIterable, Sendable {
    /// COCO instances JSON (`annotations/instances.json`) + JPEGs.
    case coco
    /// Visual Genome's `objects.json`, `relationships.json`, `image_data.json` + JPEGs.
    case vg
    /// `graphs.jsonl` of sg2im graphs with `image` and `boxes` + JPEGs.
    case folder
}

/// ShapeWorld scenes 0..<count of a seed written in one of the real data sets' schemas, images
/// as JPEG in `images/`. Image ids are scene index + 1 (COCO and Visual Genome start at 1), file
/// names `%06d.jpg` of the id. The folder appears only when complete.
public struct ShapeWorldExport {
    public var format: ExportFormat
    public var renderer: ShapeWorldRenderer
    public var seed: UInt64
    public var count: Int
    /// MJPEG quantiser (2 best … 31 worst).
    public var quality = 2

    public init(format: ExportFormat, renderer: ShapeWorldRenderer, seed: UInt64, count: Int) {
        self.format = format; self.renderer = renderer; self.seed = seed; self.count = count
    }

    /// Writes the export into `folder` (absent or empty); `progress` gets the scenes done.
    public func write(to folder: URL, progress: (Int) -> Void = { _ in }) throws {
        require(count > 0, "export needs at least one scene")
        try OutputFolder(folder).fill { staging in
            let images = staging.appendingPathComponent("images")
            try FileManager.default.createDirectory(at: images, withIntermediateDirectories: false)
            let encoder = try JPEGEncoder(width: renderer.size, height: renderer.size, quality: quality)
            var scenes: [(id: Int, file: String, graph: SceneGraph)] = []
            scenes.reserveCapacity(count)
            for index in 0..<count {
                let scene = renderer.scene(seed: seed, index: index)
                let id = index + 1, file = String(format: "%06d.jpg", id)
                let jpeg = try encoder.encode(try ByteImage(width: scene.size, height: scene.size, channels: 3, pixels: scene.pixels))
                try Data(jpeg).write(to: images.appendingPathComponent(file))
                scenes.append((id, file, scene.graph))
                progress(index + 1)
            }
            let size = renderer.size
            switch format {
            case .coco:
                let annotations = staging.appendingPathComponent("annotations")
                try FileManager.default.createDirectory(at: annotations, withIntermediateDirectories: false)
                try writeJSON(COCOExport.document(scenes, size: size), to: annotations.appendingPathComponent("instances.json"))
            case .vg:
                let vg = VisualGenomeExport.documents(scenes, size: size)
                try writeJSON(vg.images, to: staging.appendingPathComponent("image_data.json"))
                try writeJSON(vg.objects, to: staging.appendingPathComponent("objects.json"))
                try writeJSON(vg.relationships, to: staging.appendingPathComponent("relationships.json"))
            case .folder:
                let lines = try scenes.map { scene -> String in
                    var g = scene.graph
                    g.image = scene.file
                    return try g.jsonLine()
                }
                try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: staging.appendingPathComponent("graphs.jsonl"))
            }
        }
    }

    func writeJSON(_ object: Any, to url: URL) throws {
        try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]).write(to: url)
    }
}

/// A box in image fractions as whole pixels of a `size`-pixel image (ShapeWorld's tight boxes are
/// whole pixels, so this is exact): x, y, w, h.
func pixelBox(_ b: Box, size: Int) -> (x: Int, y: Int, w: Int, h: Int) {
    let s = Double(size)
    let x0 = Int((b.x0 * s).rounded()), y0 = Int((b.y0 * s).rounded()), x1 = Int((b.x1 * s).rounded()), y1 = Int((b.y1 * s).rounded())
    return (x0, y0, x1 - x0, y1 - y0)
}
