import Foundation

/// The layout of a prepared data set's one file (`data/NAME/dataset.pack`):
///
///     0  "SGDPACK1"
///     8  UInt64 LE  offset of the header
///    16  UInt64 LE  length of the header
///    64  images: count × size × size × 3 bytes, RGB interleaved, rows top to bottom, example order
///     …  header: JSON (format, size, count, source, options, resize, vocab, ids, held_out, graphs, skipped)
///
/// Images come first and at a fixed offset so training reads example i at 64 + i·size²·3 straight
/// from the memory map; the header is last because it is only known when every image is decoded.
public enum PackedDatasetFormat {
    public static let magic = Array("SGDPACK1".utf8)
    public static let imagesOffset = 64
    public static let formatName = "scene-graph-pack/1"
    /// The file inside a prepared data set's folder.
    public static let fileName = "dataset.pack"
    /// The list of skipped images beside it, one `image<TAB>reason` a line.
    public static let skippedFileName = "skipped.tsv"
    /// How images are brought to the model's size, as recorded in the header.
    public static let resizeMethod = "sg2im: whole image resized to a square (aspect ratio not kept, no crop), area-weighted mean; boxes unchanged in image fractions"
}

/// A prepared data set that cannot be read: the file and what is wrong.
public struct PackedDatasetError: Error, CustomStringConvertible, Equatable {
    public var path: String
    public var message: String

    public init(path: String, message: String) { self.path = path; self.message = message }

    public var description: String { "\(path): \(message)" }
}
