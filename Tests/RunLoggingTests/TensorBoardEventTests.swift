import Foundation
import Testing
@testable import RunLogging

@Suite struct TensorBoardEventTests {
    @Test func fileVersionBytes() {
        // wall_time: key 0x09 (field 1, 64-bit); file_version: key 0x1A (field 3, bytes), length 13.
        let expected: [UInt8] = [0x09] + wallTime15 + [0x1A, 13] + Array("brain.Event:2".utf8)
        #expect(TensorBoardEvent.fileVersion(wallTime: 1.5) == expected)
    }

    @Test func scalarBytes() {
        // Value{tag "a" (0A 01 61), simple_value 0.5 (15, 0x3F000000 LE)} in Summary.value (0A 08)
        // in Event.summary (2A 0A); step 7 is key 0x10, varint 7.
        let expected: [UInt8] = [0x09] + wallTime15 + [0x10, 7, 0x2A, 10, 0x0A, 8, 0x0A, 1, 0x61, 0x15, 0, 0, 0, 0x3F]
        #expect(TensorBoardEvent.scalars(wallTime: 1.5, step: 7, [("a", 0.5)]) == expected)
    }

    @Test func multiByteStepVarint() {
        // 300 = 0b10_0101100: low seven bits 0x2C with the continuation bit, then 0x02.
        let bytes = TensorBoardEvent.sessionStart(wallTime: 1.5, step: 300)
        #expect(bytes == [0x09] + wallTime15 + [0x10, 0xAC, 0x02, 0x3A, 2, 0x08, 1])
    }

    @Test func imageBytes() {
        let png: [UInt8] = [1, 2, 3]
        // Image{height 1 (08 01), width 2 (10 02), colorspace 3 (18 03), encoded (22 03 ...)} = 11 bytes,
        // in Value.image (22 0B) after tag "s" (0A 01 73): 16 bytes; Summary.value 0A 10; Event.summary 2A 12.
        let expected: [UInt8] = [0x09] + wallTime15 + [0x10, 5, 0x2A, 18, 0x0A, 16, 0x0A, 1, 0x73, 0x22, 11,
                                                       0x08, 1, 0x10, 2, 0x18, 3, 0x22, 3, 1, 2, 3]
        #expect(TensorBoardEvent.image(wallTime: 1.5, step: 5, tag: "s", width: 2, height: 1, colorspace: 3, encoded: png) == expected)
    }

    @Test func recordFraming() throws {
        // CRCs from an independent bit-by-bit CRC-32C in Python.
        let record = TFRecord.frame(Array("abc".utf8))
        let expected: [UInt8] = [3, 0, 0, 0, 0, 0, 0, 0, 0xB0, 0x99, 0x49, 0x0E, 0x61, 0x62, 0x63, 0x6E, 0x57, 0xF1, 0x21]
        #expect(record == expected)
        #expect(try readRecords(record + TFRecord.frame([])) == [Array("abc".utf8), []])
    }

    @Test func readerRejectsCorruption() {
        var record = TFRecord.frame(Array("abc".utf8))
        record[13] ^= 1
        #expect(throws: RecordError.self) { try readRecords(record) }
        #expect(throws: RecordError.self) { try readRecords(Array(TFRecord.frame([9, 9]).dropLast())) }
    }

    @Test func pngHeader() throws {
        let ihdr: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13] + Array("IHDR".utf8)
            + [0, 0, 1, 0x2C, 0, 0, 0, 7, 8, 6, 0, 0, 0, 0, 0, 0, 0]
        let header = try PNGHeader(ihdr)
        #expect(header.width == 300 && header.height == 7 && header.colorspace == 4)
        #expect(throws: RunLogError.self) { try PNGHeader(Array(ihdr.dropFirst())) }
    }
}
