import CPNG

/// PNG bytes in memory, for images that go into another file (TensorBoard image summaries).
extension PNGCodec {
    /// The PNG encoding of an 8-bit grey, RGB or RGBA image.
    public static func encode(_ image: ByteImage) throws -> [UInt8] {
        var png = png_image()
        png.version = UInt32(PNG_IMAGE_VERSION)
        png.width = UInt32(image.width)
        png.height = UInt32(image.height)
        png.format = format(channels: image.channels)
        let stride = Int32(image.width * image.channels)
        return try image.pixels.withUnsafeBytes { pixels in
            // First pass with no buffer asks libpng for the size (png.h: "png_image_write_get_memory_size").
            var size: png_alloc_size_t = 0
            guard png_image_write_to_memory(&png, nil, &size, 0, pixels.baseAddress, stride, nil) != 0 else {
                throw failure(&png)
            }
            var bytes = [UInt8](repeating: 0, count: Int(size))
            let ok = bytes.withUnsafeMutableBytes { out in
                png_image_write_to_memory(&png, out.baseAddress, &size, 0, pixels.baseAddress, stride, nil)
            }
            guard ok != 0 else { throw failure(&png) }
            return Array(bytes.prefix(Int(size)))
        }
    }

    /// Decodes PNG bytes to 8-bit grey, RGB or RGBA (whichever is closest to the data's own format).
    public static func decode(_ bytes: [UInt8]) throws -> ByteImage {
        // libpng keeps a pointer to the bytes from begin to finish: both calls stay in one closure.
        try bytes.withUnsafeBytes { data in
            var png = png_image()
            png.version = UInt32(PNG_IMAGE_VERSION)
            guard png_image_begin_read_from_memory(&png, data.baseAddress, data.count) != 0 else { throw failure(&png) }
            let hasColor = png.format & UInt32(PNG_FORMAT_FLAG_COLOR) != 0, hasAlpha = png.format & UInt32(PNG_FORMAT_FLAG_ALPHA) != 0
            let channels = hasAlpha ? 4 : (hasColor ? 3 : 1)
            png.format = format(channels: channels)
            let (width, height) = (Int(png.width), Int(png.height))
            var pixels = [UInt8](repeating: 0, count: width * height * channels)
            let ok = pixels.withUnsafeMutableBytes { png_image_finish_read(&png, nil, $0.baseAddress, Int32(width * channels), nil) }
            guard ok != 0 else { throw failure(&png) }
            return ByteImage(unchecked: width, height, channels, pixels)
        }
    }

    private static func failure(_ png: inout png_image) -> MediaError {
        let message = messageOf(&png)
        png_image_free(&png)
        return MediaError.png(path: "(memory)", message: message)
    }
}
