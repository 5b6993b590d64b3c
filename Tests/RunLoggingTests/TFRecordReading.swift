import Foundation
@testable import RunLogging

/// CRC-32C one bit at a time: an implementation independent of the table the library uses.
func bitwiseCRC32C(_ bytes: [UInt8]) -> UInt32 {
    var crc: UInt32 = 0xFFFF_FFFF
    for byte in bytes {
        crc ^= UInt32(byte)
        for _ in 0..<8 { crc = (crc >> 1) ^ (crc & 1 == 1 ? 0x82F6_3B78 : 0) }
    }
    return ~crc
}

struct RecordError: Error, CustomStringConvertible { var description: String }

/// The records of a TFRecord stream, every length and data CRC checked.
func readRecords(_ bytes: [UInt8]) throws -> [[UInt8]] {
    func mask(_ c: UInt32) -> UInt32 { ((c >> 15) | (c << 17)) &+ 0xA282_EAD8 }
    func uint32(_ at: Int) -> UInt32 { (0..<4).reduce(0) { $0 | UInt32(bytes[at + $1]) << (8 * $1) } }
    var records: [[UInt8]] = [], at = 0
    while at < bytes.count {
        guard at + 12 <= bytes.count else { throw RecordError(description: "truncated header at \(at)") }
        let lengthBytes = Array(bytes[at..<(at + 8)])
        let length = (0..<8).reduce(0) { $0 | Int(lengthBytes[$1]) << (8 * $1) }
        guard uint32(at + 8) == mask(bitwiseCRC32C(lengthBytes)) else { throw RecordError(description: "length CRC at \(at)") }
        let start = at + 12, end = start + length
        guard end + 4 <= bytes.count else { throw RecordError(description: "truncated data at \(at)") }
        let data = Array(bytes[start..<end])
        guard uint32(end) == mask(bitwiseCRC32C(data)) else { throw RecordError(description: "data CRC at \(at)") }
        records.append(data)
        at = end + 4
    }
    return records
}

/// A fresh empty folder under /tmp, removed by the caller.
func temporaryFolder() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("training-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// 1.5 as a little-endian IEEE double: 0x3FF8000000000000.
let wallTime15: [UInt8] = [0, 0, 0, 0, 0, 0, 0xF8, 0x3F]
