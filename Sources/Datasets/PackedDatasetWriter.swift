import Foundation
import Tensors

/// Writes a pack file front to back: the images as they are decoded, then the header, then the
/// header's place in the first bytes. Used inside an `OutputFolder`, which makes the file durable
/// and visible only when complete.
final class PackedDatasetWriter {
    let url: URL
    let imageBytes: Int
    private let handle: FileHandle
    private(set) var count = 0

    init(url: URL, size: Int) throws {
        self.url = url
        imageBytes = size * size * 3
        guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
            throw PackedDatasetError(path: url.path, message: "cannot create")
        }
        handle = try FileHandle(forWritingTo: url)
        var start = [UInt8](repeating: 0, count: PackedDatasetFormat.imagesOffset)
        start.replaceSubrange(0..<8, with: PackedDatasetFormat.magic)
        try handle.write(contentsOf: start)
    }

    /// Appends images (each `size`×`size`×3 bytes), in example order.
    func append(_ pixels: UnsafeBufferPointer<UInt8>) throws {
        require(pixels.count % imageBytes == 0, "pack images come whole")
        try handle.write(contentsOf: Data(buffer: pixels))
        count += pixels.count / imageBytes
    }

    /// Writes the header after the images and records where it is.
    func finish(header: [String: Any]) throws {
        let json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        let offset = UInt64(PackedDatasetFormat.imagesOffset + count * imageBytes)
        try handle.write(contentsOf: json)
        try handle.seek(toOffset: 8)
        var words = [offset.littleEndian, UInt64(json.count).littleEndian]
        try handle.write(contentsOf: Data(bytes: &words, count: 16))
        try handle.close()
    }
}
