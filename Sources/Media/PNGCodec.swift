import CPNG
import Foundation
import Output

/// PNG files through libpng's simplified API (no setjmp, which Swift cannot use).
public enum PNGCodec {
    /// Writes 8-bit grey, RGB or RGBA atomically: encoded in memory, then written by `AtomicFile`,
    /// the one way the project makes a file appear whole.
    public static func write(_ image: ByteImage, to url: URL) throws {
        let bytes: [UInt8]
        do { bytes = try encode(image) } catch MediaError.png(_, let message) { throw MediaError.png(path: url.path, message: message) }
        do { try AtomicFile.write(bytes, to: url) } catch let error as OutputError { throw MediaError(error) }
    }

    /// Reads a PNG as 8-bit grey, RGB or RGBA (whichever is closest to the file's own format;
    /// palettes and 16-bit files are converted).
    public static func read(_ url: URL) throws -> ByteImage {
        var png = png_image()
        png.version = UInt32(PNG_IMAGE_VERSION)
        guard png_image_begin_read_from_file(&png, url.path) != 0 else {
            let message = messageOf(&png)
            png_image_free(&png)
            throw MediaError.png(path: url.path, message: message)
        }
        let hasColor = png.format & UInt32(PNG_FORMAT_FLAG_COLOR) != 0, hasAlpha = png.format & UInt32(PNG_FORMAT_FLAG_ALPHA) != 0
        let channels = hasAlpha ? 4 : (hasColor ? 3 : 1)
        png.format = format(channels: channels)
        let (width, height) = (Int(png.width), Int(png.height))
        var pixels = [UInt8](repeating: 0, count: width * height * channels)
        let ok = pixels.withUnsafeMutableBytes { bytes in
            png_image_finish_read(&png, nil, bytes.baseAddress, Int32(width * channels), nil)
        }
        let message = messageOf(&png)
        png_image_free(&png)
        guard ok != 0 else { throw MediaError.png(path: url.path, message: message) }
        return ByteImage(unchecked: width, height, channels, pixels)
    }

    static func format(channels: Int) -> UInt32 {
        switch channels {
        case 1: UInt32(PNG_FORMAT_GRAY)
        case 3: UInt32(PNG_FORMAT_FLAG_COLOR)
        default: UInt32(PNG_FORMAT_FLAG_COLOR | PNG_FORMAT_FLAG_ALPHA)
        }
    }

    static func messageOf(_ png: inout png_image) -> String {
        withUnsafeBytes(of: &png.message) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
    }
}
