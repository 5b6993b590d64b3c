/// Size and colour type from a PNG's IHDR chunk, which must come first (PNG spec §5.6): what an
/// image summary declares beside the encoded bytes.
struct PNGHeader: Equatable {
    var width: Int
    var height: Int
    /// TensorBoard's colorspace: 1 grey, 2 grey + alpha, 3 RGB, 4 RGBA.
    var colorspace: Int

    init(_ png: [UInt8]) throws {
        let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        guard png.count >= 33, Array(png[0..<8]) == signature else { throw RunLogError.notPNG("no PNG signature") }
        guard Array(png[12..<16]) == Array("IHDR".utf8) else { throw RunLogError.notPNG("first chunk is not IHDR") }
        func bigEndian(_ at: Int) -> Int { png[at..<(at + 4)].reduce(0) { $0 << 8 | Int($1) } }
        width = bigEndian(16)
        height = bigEndian(20)
        switch png[25] {
        case 0: colorspace = 1
        case 4: colorspace = 2
        case 2, 3: colorspace = 3   // a palette decodes to RGB
        case 6: colorspace = 4
        default: throw RunLogError.notPNG("colour type \(png[25])")
        }
    }
}
