import Foundation
import SceneGraphs
import Tensors

#if canImport(Glibc)
import Glibc
#endif

/// A prepared data set, memory-mapped: images are read in place (no decoding), graphs and the
/// vocabulary come from the header. Made by `prepare` (`DatasetPreparation`).
public final class PackedDataset: @unchecked Sendable {
    public let url: URL
    /// Images are `size`×`size` RGB.
    public let size: Int
    public let count: Int
    /// The data set it was prepared from (coco, vg, folder) and the options used, as recorded.
    public let source: String
    public let options: [String: String]
    public let vocabulary: Vocabulary
    /// Per example: graph (normalised boxes, image file), data-set image id, held-out flag.
    public let graphs: [SceneGraph]
    public let imageIDs: [Int]
    public let heldOut: [Bool]
    /// The images left out when it was prepared, with their reasons.
    public let skipped: [SkippedImage]
    private let base: UnsafeMutableRawPointer
    private let length: Int

    /// Opens `url`: a data set folder (holding `dataset.pack`) or the pack file itself.
    public init(contentsOf url: URL) throws {
        var isFolder: ObjCBool = false
        let file = FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder) && isFolder.boolValue
            ? url.appendingPathComponent(PackedDatasetFormat.fileName) : url
        self.url = file
        let path = file.path
        func fail(_ message: String) -> PackedDatasetError { PackedDatasetError(path: path, message: message) }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw fail("cannot open: \(String(cString: strerror(errno))) (make it with prepare --config C --out DIR)") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw fail("cannot stat: \(String(cString: strerror(errno)))") }
        length = Int(info.st_size)
        guard length >= PackedDatasetFormat.imagesOffset else { throw fail("too short to be a prepared data set (\(length) bytes)") }
        guard let mapped = mmap(nil, length, PROT_READ, MAP_PRIVATE, fd, 0), mapped != MAP_FAILED else {
            throw fail("cannot map: \(String(cString: strerror(errno)))")
        }
        base = mapped
        do {
            let header = try Self.header(base, length: length, fail: fail)
            guard header["format"] as? String == PackedDatasetFormat.formatName else {
                throw fail("format: expected \(PackedDatasetFormat.formatName)")
            }
            func ints(_ key: String) -> [Int]? { (header[key] as? [Any]).map { $0.compactMap { ($0 as? NSNumber)?.intValue } } }
            guard let size = (header["size"] as? NSNumber)?.intValue, size > 0, let count = (header["count"] as? NSNumber)?.intValue, count >= 0,
                  let source = header["source"] as? String, let vocab = header["vocab"],
                  let ids = ints("ids"), let held = ints("held_out").map({ $0.map { $0 != 0 } }), let rawGraphs = header["graphs"] as? [Any],
                  ids.count == count, held.count == count, rawGraphs.count == count else {
                throw fail("header: needs size, count, source, vocab and count ids, held_out flags and graphs")
            }
            guard PackedDatasetFormat.imagesOffset + count * size * size * 3 <= length else { throw fail("holds fewer images than its header says") }
            self.size = size; self.count = count; self.source = source; imageIDs = ids; heldOut = held
            options = header["options"] as? [String: String] ?? [:]
            vocabulary = try Vocabulary(json: try JSONSerialization.data(withJSONObject: vocab), source: path)
            graphs = try rawGraphs.enumerated().map { try SceneGraphDecoder.graph(fromJSONObject: $1, source: path, index: $0) }
            skipped = (header["skipped"] as? [[String: String]] ?? []).map { SkippedImage(image: $0["image"] ?? "", reason: $0["reason"] ?? "") }
        } catch {
            munmap(base, length)
            throw error
        }
    }

    deinit { munmap(base, length) }

    static func header(_ base: UnsafeMutableRawPointer, length: Int, fail: (String) -> PackedDatasetError) throws -> [String: Any] {
        let bytes = base.assumingMemoryBound(to: UInt8.self)
        guard Array(UnsafeBufferPointer(start: bytes, count: 8)) == PackedDatasetFormat.magic else {
            throw fail("not a prepared data set (no SGDPACK1 magic)")
        }
        let offset = Int(UInt64(littleEndian: base.loadUnaligned(fromByteOffset: 8, as: UInt64.self)))
        let headerLength = Int(UInt64(littleEndian: base.loadUnaligned(fromByteOffset: 16, as: UInt64.self)))
        guard offset >= PackedDatasetFormat.imagesOffset, headerLength > 0, offset <= length, headerLength <= length - offset else {
            throw fail("header out of the file's bounds (a partial file?)")
        }
        let data = Data(bytesNoCopy: base + offset, count: headerLength, deallocator: .none)
        guard let header = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else { throw fail("header: not a JSON object") }
        return header
    }

    /// Example `i`'s image: `size`×`size`×3 bytes, RGB interleaved, straight from the map.
    public func pixels(_ i: Int) -> UnsafeBufferPointer<UInt8> {
        require(i >= 0 && i < count, "example \(i) of \(count)")
        let bytes = size * size * 3
        return UnsafeBufferPointer(start: (base + PackedDatasetFormat.imagesOffset + i * bytes).assumingMemoryBound(to: UInt8.self), count: bytes)
    }

    /// Example `i`'s image as the model takes it: [3, S, S] planar, each byte v as v / 127.5 − 1.
    public func planarImage(_ i: Int, into out: UnsafeMutableBufferPointer<Float>) {
        let p = pixels(i), plane = size * size
        require(out.count >= 3 * plane, "planar image needs \(3 * plane) floats")
        for k in 0..<plane { for c in 0..<3 { out[c * plane + k] = Float(p[3 * k + c]) / 127.5 - 1 } }
    }

    /// The examples training may draw (never a held-out one), in file order.
    public var trainingIndices: [Int] { (0..<count).filter { !heldOut[$0] } }
    /// The held-out examples, for evaluation.
    public var heldOutIndices: [Int] { (0..<count).filter { heldOut[$0] } }
}
