import Foundation
import Media

/// One source image read for preparation: decoded (FFmpeg: JPEG, PNG, …) and resized into its
/// slot, or the reason it cannot be used.
enum SourceImageReading {
    /// Decodes `url` and writes it resized to `size`² RGB into `out`; returns nil, or why not.
    /// `expected` is the size the annotations give (nil when they give none): boxes are fractions
    /// of it, so an image of another size would misplace them.
    static func read(_ url: URL, expected: (width: Int, height: Int)?, size: Int, into out: UnsafeMutableBufferPointer<UInt8>) -> String? {
        let bytes: Data
        do { bytes = try Data(contentsOf: url) } catch {
            return FileManager.default.fileExists(atPath: url.path) ? "cannot read: \(error.localizedDescription)" : "missing image file"
        }
        if let problem = jpegProblem(bytes) { return problem }
        let image: ByteImage
        do { image = try VideoReader.decodeImage(url) } catch { return "cannot decode: \(error)" }
        if let expected, expected.width > 0, (image.width, image.height) != (expected.width, expected.height) {
            return "decoded \(image.width)×\(image.height), the annotations say \(expected.width)×\(expected.height)"
        }
        SquareResize.resize(image, to: size, into: out)
        return nil
    }

    /// A JPEG cut short: FFmpeg's decoder fills the missing rows with grey and reports no error, so
    /// a file that starts like a JPEG must also end with its end-of-image marker (FF D9; padding
    /// bytes after it are allowed).
    static func jpegProblem(_ bytes: Data) -> String? {
        guard bytes.count >= 2, bytes[bytes.startIndex] == 0xFF, bytes[bytes.startIndex + 1] == 0xD8 else { return nil }
        var end = bytes.endIndex
        while end > bytes.startIndex, [0x00, 0x0A, 0x0D, 0x20].contains(bytes[end - 1]) { end -= 1 }
        guard end - bytes.startIndex >= 4, bytes[end - 2] == 0xFF, bytes[end - 1] == 0xD9 else {
            return "truncated JPEG (no end-of-image marker)"
        }
        return nil
    }
}
