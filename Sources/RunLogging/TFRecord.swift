/// TFRecord framing, the container of TensorBoard event files: each record is
/// `uint64 length (LE) · masked CRC-32C of those 8 bytes · data · masked CRC-32C of data`.
public enum TFRecord {
    /// `data` framed as one record.
    public static func frame(_ data: [UInt8]) -> [UInt8] {
        var record: [UInt8] = []
        record.reserveCapacity(data.count + 16)
        let length = littleEndian(UInt64(data.count))
        record += length
        record += littleEndian(CRC32C.masked(CRC32C.checksum(length)))
        record += data
        record += littleEndian(CRC32C.masked(CRC32C.checksum(data)))
        return record
    }

    static func littleEndian<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        withUnsafeBytes(of: value.littleEndian) { Array($0) }
    }

    /// The complete records at the start of `bytes`; reading stops at the first torn or corrupt
    /// one (a process killed mid-write leaves at most a torn tail).
    public static func records(in bytes: [UInt8]) -> [[UInt8]] {
        func uint32(_ at: Int) -> UInt32 { (0..<4).reduce(0) { $0 | UInt32(bytes[at + $1]) << (8 * $1) } }
        var records: [[UInt8]] = [], at = 0
        while at + 12 <= bytes.count {
            let length = bytes[at..<(at + 8)]
            guard uint32(at + 8) == CRC32C.masked(CRC32C.checksum(length)) else { break }
            let count = length.reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            let start = at + 12
            guard count + 4 <= UInt64(bytes.count - start) else { break }
            let data = Array(bytes[start..<(start + Int(count))])
            guard uint32(start + data.count) == CRC32C.masked(CRC32C.checksum(data)) else { break }
            records.append(data)
            at = start + data.count + 4
        }
        return records
    }
}
