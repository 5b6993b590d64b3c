import Foundation
import Output
import SceneGraphs
import Tensors

/// What `prepare` did: examples written (and how many held out), images skipped with reasons,
/// and how fast images were decoded.
public struct PreparationReport: Sendable {
    public var examples: Int
    public var heldOut: Int
    public var skipped: [SkippedImage]
    /// Images tried (kept + skipped at decoding).
    public var decoded: Int
    /// Images taken from the cache of an earlier, killed run instead of being decoded again.
    public var reused = 0
    public var decodeSeconds: Double
    public var fileBytes: Int
    public var imagesPerSecond: Double { decodeSeconds > 0 ? Double(decoded) / decodeSeconds : 0 }
}

/// `prepare`: reads a data set's annotations, decodes every image once on all cores, resizes it to
/// the model size and writes one pack file (with `skipped.tsv` beside it) into a folder that
/// appears only when complete. Bad images and annotations are skipped and listed; annotations
/// that are not what the source says are one error naming file and field, and nothing is written.
public enum DatasetPreparation {
    /// Images decoded between two writes (each thread decodes a contiguous part).
    static let chunk = 256

    /// The examples, vocabulary and skipped images of the annotations.
    public static func load(_ options: PreparationOptions) throws -> LoadedDataset {
        let files = options.annotations
        switch options.source {
        case .coco:
            guard (1...2).contains(files.count) else { throw PackedDatasetError(path: "data.annotations", message: "coco takes the instances JSON and optionally the stuff JSON") }
            var loader = COCOStuffLoader(minimumObjectArea: options.minimumObjectArea, objectsPerImage: options.objectsPerImage, seed: options.seed)
            loader.includeOther = false
            return try loader.loadReporting(instances: files[0], stuff: files.count > 1 ? files[1] : nil)
        case .vg:
            guard files.count == 1 else { throw PackedDatasetError(path: "data.annotations", message: "vg takes one folder (objects.json, relationships.json, image_data.json)") }
            return try VisualGenomeLoader(minimumObjectCount: options.minimumObjectCount, minimumPredicateCount: options.minimumPredicateCount,
                                          objectsPerImage: options.objectsPerImage).loadReporting(folder: files[0])
        case .folder:
            guard files.count == 1 else { throw PackedDatasetError(path: "data.annotations", message: "folder takes one JSONL file of graphs") }
            return try GraphFolderLoader(objectsPerImage: options.objectsPerImage).loadReporting(graphs: files[0])
        case .shapeworld:
            throw PackedDatasetError(path: "data.source", message: "shapeworld scenes are rendered while training; nothing to prepare")
        }
    }

    /// Prepares the data set into the folder `out` (absent or empty). A run killed before the end
    /// leaves its decoded chunks beside `out`; the same command continues from them.
    @discardableResult
    public static func run(_ options: PreparationOptions, out: URL, showProgress: Bool = true) throws -> PreparationReport {
        try run(options, out: out, showProgress: showProgress, chunk: chunk, stopAfterChunks: nil)
    }

    /// A stop in the middle of a run, as a kill would make it (for tests).
    struct Stopped: Error {}

    static func run(_ options: PreparationOptions, out: URL, showProgress: Bool, chunk: Int, stopAfterChunks: Int?) throws -> PreparationReport {
        let folder = try OutputFolder(out)
        var report = PreparationReport(examples: 0, heldOut: 0, skipped: [], decoded: 0, decodeSeconds: 0, fileBytes: 0)
        var cacheFolder: PreparationCache?
        try folder.fill { staging in
            let loaded = try load(options)
            let examples = loaded.examples
            let packURL = staging.appendingPathComponent(PackedDatasetFormat.fileName)
            let writer = try PackedDatasetWriter(url: packURL, size: options.size)
            let bytes = options.size * options.size * 3
            let progress = showProgress ? ProgressBar("prepare", total: examples.count) : nil
            let cache = try PreparationCache(beside: out, key: PreparationCache.key(options, examples: examples.map { $0.graph.image ?? "" }, chunk: chunk))
            var graphs: [Any] = [], ids: [Int] = [], held: [Int] = [], skipped = loaded.skipped
            let buffer = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: chunk * bytes)
            let reasons = UnsafeMutableBufferPointer<String?>.allocate(capacity: chunk)
            defer { buffer.deallocate(); reasons.deallocate() }
            let start = Date()
            for (number, lower) in stride(from: 0, to: examples.count, by: chunk).enumerated() {
                let part = examples[lower..<min(lower + chunk, examples.count)]
                reasons.initialize(repeating: nil)
                if let cached = cache.load(number, count: part.count, bytes: bytes, into: buffer) {
                    for (j, r) in cached.enumerated() { reasons[j] = r }
                    report.reused += part.count
                } else {
                    parallelChunks(part.count) { range in
                        for j in range {
                            let example = part[part.startIndex + j]
                            let url = options.images.appendingPathComponent(example.graph.image ?? "")
                            let expected = example.imageWidth > 0 ? (example.imageWidth, example.imageHeight) : nil
                            reasons[j] = SourceImageReading.read(url, expected: expected, size: options.size,
                                                                 into: UnsafeMutableBufferPointer(rebasing: buffer[(j * bytes)..<((j + 1) * bytes)]))
                        }
                    }
                    try cache.store(number, reasons: Array(reasons.prefix(part.count)), bytes: bytes, buffer: buffer)
                    if let stop = stopAfterChunks, number + 1 >= stop { throw Stopped() }
                }
                for (j, example) in part.enumerated() {
                    if let reason = reasons[j] {
                        skipped.append(SkippedImage(image: example.graph.image ?? "", reason: reason)); continue
                    }
                    try writer.append(UnsafeBufferPointer(rebasing: buffer[(j * bytes)..<((j + 1) * bytes)]))
                    graphs.append(example.graph.jsonObject)
                    ids.append(example.imageID)
                    held.append(HeldOutSplit.isHeldOut(imageID: example.imageID, share: options.heldOutShare) ? 1 : 0)
                }
                progress?.update(lower + part.count)
            }
            report.decodeSeconds = Date().timeIntervalSince(start)
            // Listed by file name, whichever step found the problem.
            skipped.sort { $0.image < $1.image }
            report.decoded = examples.count - report.reused
            let vocab = try JSONSerialization.jsonObject(with: Data(loaded.vocabulary.jsonString().utf8))
            try writer.finish(header: [
                "format": PackedDatasetFormat.formatName, "size": options.size, "count": ids.count, "source": options.source.rawValue,
                "options": options.recorded, "resize": PackedDatasetFormat.resizeMethod, "vocab": vocab,
                "ids": ids, "held_out": held, "graphs": graphs,
                "skipped": skipped.map { ["image": $0.image, "reason": $0.reason] },
            ])
            let tsv = skipped.map { "\($0.image)\t\($0.reason)" }.joined(separator: "\n") + (skipped.isEmpty ? "" : "\n")
            try Data(tsv.utf8).write(to: staging.appendingPathComponent(PackedDatasetFormat.skippedFileName))
            report.examples = ids.count
            report.heldOut = held.reduce(0, +)
            report.skipped = skipped
            report.fileBytes = (try? FileManager.default.attributesOfItem(atPath: packURL.path)[.size] as? Int) ?? 0
            cacheFolder = cache
        }
        // Only once the pack is in place: a failed commit keeps the chunks for the next try.
        cacheFolder?.remove()
        return report
    }
}

extension PreparationReport {
    /// What `prepare` prints when done: counts, speed, size, and the first skipped images.
    public func summary(folder: String, shown: Int = 10) -> [String] {
        var lines = [String(format: "%d examples (%d held out) in %@/%@, %.1f MB; %d images decoded in %.1f s (%.0f images/s)",
                            examples, heldOut, folder, PackedDatasetFormat.fileName, Double(fileBytes) / 1e6, decoded, decodeSeconds,
                            imagesPerSecond) + (reused > 0 ? "; \(reused) taken from the killed run's cache" : "")]
        if !skipped.isEmpty {
            lines.append("\(skipped.count) skipped (all in \(folder)/\(PackedDatasetFormat.skippedFileName)):")
            lines += skipped.prefix(shown).map { "  \($0.image): \($0.reason)" }
            if skipped.count > shown { lines.append("  … \(skipped.count - shown) more") }
        }
        return lines
    }
}
