import Foundation
import Testing
@testable import NN

/// A truncated or foreign checkpoint: one clear message naming the file (these run
/// in debug and release builds).
@Suite struct CheckpointMessageTests {
    func message(_ bytes: [UInt8]) -> String? {
        do { _ = try SafeTensorsFile(bytes: bytes, source: "ckpt.safetensors"); return nil } catch { return "\(error)" }
    }

    @Test func truncatedCheckpointSaysSo() throws {
        let full = try SafeTensorsTests.sample.serialized()
        let headerLength = full.prefix(8).enumerated().reduce(0) { $0 | (Int($1.element) << (8 * $1.offset)) }
        let dataLength = full.count - 8 - headerLength
        #expect(message(Array(full.dropLast(5)))
                == "ckpt.safetensors: data section is \(dataLength - 5) bytes but offsets reach \(dataLength) (truncated file?)")
        #expect(message(Array(full.prefix(5))) == "ckpt.safetensors: file is 5 bytes, shorter than the 8-byte header length")
        #expect(message(Array(full.prefix(40))) == "ckpt.safetensors: header length \(headerLength) but only 32 bytes follow")
    }

    @Test func foreignFileSaysWhatIsWrong() {
        // A PNG's signature read as a header length is far beyond any real header.
        let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + [UInt8](repeating: 0, count: 64)
        let declared = png.prefix(8).enumerated().reduce(UInt64(0)) { $0 | (UInt64($1.element) << (8 * UInt64($1.offset))) }
        #expect(message(png) == "ckpt.safetensors: header length \(declared) is over the 104857600-byte limit")
        let text = Array("{\"not\": \"a checkpoint\"}".utf8)
        #expect(message(text)?.hasPrefix("ckpt.safetensors: ") == true)
    }
}
