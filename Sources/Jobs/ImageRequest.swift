import Pipeline
import Foundation
import Media
import Output
import SceneGraphs

/// `sample --graph g.json --count N --out out.png|DIR`: N images of one graph. One image goes to
/// `out.png`; several go to a new folder as `000000.png …` plus `grid.png`, all or nothing.
public struct ImageRequest {
    public var graphFile: URL
    public var count: Int
    public var output: URL
    public var settings: SampleSettings

    public init(graphFile: URL, count: Int, output: URL, settings: SampleSettings) {
        self.graphFile = graphFile; self.count = count; self.output = output; self.settings = settings
    }

    /// Reads and validates the graph: one graph object (a list or frames belong elsewhere).
    public func graph(for pipeline: DiffusionPipeline) throws -> SceneGraph {
        let document = try SceneGraphDecoder.decode(contentsOf: graphFile)
        guard case .graph(let read) = document else {
            throw SamplingError("\(graphFile.path): expected one graph object ({\"objects\": …}); lists go through --eval, frame sequences through a video output")
        }
        var duplicates = DuplicateRelationships()
        let graph = duplicates.distinct(read, at: graphFile.path)
        if let notice = duplicates.notice { Notice.write(notice) }
        try pipeline.validator.validate(graph, source: graphFile.path)
        return graph
    }

    /// Draws and writes the images; returns the files written.
    @discardableResult
    public func run(with pipeline: DiffusionPipeline) throws -> [URL] {
        guard count >= 1 else { throw SamplingError("--count must be at least 1") }
        let graph = try graph(for: pipeline)
        let factor = try pipeline.upscaleFactor(for: settings.size)
        let single = count == 1 && output.pathExtension.lowercased() == "png"
        if count > 1 && output.pathExtension.lowercased() == "png" {
            throw SamplingError("\(output.path): \(count) images need a folder for --out, not a .png file")
        }
        // Check where the output goes before the (long) sampling, not after.
        let folder = single ? nil : try OutputFolder(output)
        if single { try checkWritableParent(of: output) }
        let progress = ProgressBar("sample", total: count)
        let requests = (0..<count).map { (graph: graph, seed: settings.seed &+ UInt64($0)) }
        let images = try pipeline.images(requests, settings: settings) { progress.update($0) }.map { $0.upscaled(by: factor) }
        if single {
            try PNGCodec.write(images[0], to: output)
            return [output]
        }
        var written: [URL] = []
        try folder!.fill { staging in
            for (i, image) in images.enumerated() {
                try PNGCodec.write(image, to: staging.appendingPathComponent(String(format: "%06d.png", i)))
                written.append(output.appendingPathComponent(String(format: "%06d.png", i)))
            }
            try PNGCodec.write(try ByteImage.grid(images, columns: Int(Double(images.count).squareRoot().rounded(.up))),
                               to: staging.appendingPathComponent("grid.png"))
            written.append(output.appendingPathComponent("grid.png"))
        }
        return written
    }
}
