import Foundation
import Output

/// Decoded chunks kept beside `prepare`'s output while it runs (`.NAME.prepare-cache`), so a
/// killed run, started again with the same options, reads the chunks it finished instead of
/// decoding them again. Each chunk is two files written atomically — its kept images, then the
/// outcome of each example (the mark that the chunk is complete) — and the whole cache belongs to
/// one key (options and example list): another key starts it afresh. Removed when the pack is done.
struct PreparationCache {
    let folder: URL

    init(beside out: URL, key: String) throws {
        folder = out.deletingLastPathComponent().appendingPathComponent(".\(out.lastPathComponent).prepare-cache")
        let fm = FileManager.default, keyFile = folder.appendingPathComponent("key.txt")
        if fm.fileExists(atPath: folder.path), (try? String(contentsOf: keyFile, encoding: .utf8)) != key {
            try fm.removeItem(at: folder)
        }
        if !fm.fileExists(atPath: folder.path) {
            try fm.createDirectory(at: folder, withIntermediateDirectories: false)
            try AtomicFile.write(key, to: keyFile)
        }
    }

    func url(_ chunk: Int, _ ext: String) -> URL { folder.appendingPathComponent(String(format: "chunk-%06d.%@", chunk, ext)) }

    /// A finished chunk's outcomes (nil = kept, else the reason), its kept images put back in their
    /// slots of `buffer`; nil when the chunk was not finished.
    func load(_ chunk: Int, count: Int, bytes: Int, into buffer: UnsafeMutableBufferPointer<UInt8>) -> [String?]? {
        guard let data = try? Data(contentsOf: url(chunk, "json")),
              let list = (try? JSONSerialization.jsonObject(with: data)) as? [String], list.count == count,
              let images = try? Data(contentsOf: url(chunk, "images")), images.count == list.filter(\.isEmpty).count * bytes else { return nil }
        var next = 0
        images.withUnsafeBytes { raw in
            for (j, reason) in list.enumerated() where reason.isEmpty {
                UnsafeMutableRawBufferPointer(rebasing: UnsafeMutableRawBufferPointer(buffer)[(j * bytes)..<((j + 1) * bytes)])
                    .copyMemory(from: UnsafeRawBufferPointer(rebasing: raw[(next * bytes)..<((next + 1) * bytes)]))
                next += 1
            }
        }
        return list.map { $0.isEmpty ? nil : $0 }
    }

    /// Keeps a decoded chunk: the kept images (in order), then the outcomes.
    func store(_ chunk: Int, reasons: [String?], bytes: Int, buffer: UnsafeMutableBufferPointer<UInt8>) throws {
        var images: [UInt8] = []
        images.reserveCapacity(reasons.filter { $0 == nil }.count * bytes)
        for (j, reason) in reasons.enumerated() where reason == nil { images += buffer[(j * bytes)..<((j + 1) * bytes)] }
        try AtomicFile.write(images, to: url(chunk, "images"))
        // An empty string marks a kept example (no reason is empty).
        try AtomicFile.write(Array(try JSONSerialization.data(withJSONObject: reasons.map { $0 ?? "" })), to: url(chunk, "json"))
    }

    func remove() { try? FileManager.default.removeItem(at: folder) }

    /// The key of a preparation: what was asked and which examples, in which order, in chunks of what size.
    static func key(_ options: PreparationOptions, examples: [String], chunk: Int) -> String {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325   // FNV-1a over the image names
        for name in examples { for byte in name.utf8 + [0] { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3 } }
        let settings = options.recorded.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "\n")
        return "\(PackedDatasetFormat.formatName)\nsource=\(options.source.rawValue)\n\(settings)\nchunk=\(chunk)\nexamples=\(examples.count) \(String(hash, radix: 16))\n"
    }
}
