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
}
