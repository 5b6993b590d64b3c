/// CRC-32C (Castagnoli polynomial, reflected 0x82F63B78): the checksum of TFRecord framing.
public enum CRC32C {
    /// One entry per byte value: the register after shifting that byte through eight rounds.
    static let table: [UInt32] = (0..<256).map { byte in
        var crc = UInt32(byte)
        for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
        return crc
    }

    /// The CRC-32C of `bytes` (initial value and final XOR 0xFFFFFFFF, as in iSCSI and TFRecord).
    public static func checksum<Bytes: Sequence>(_ bytes: Bytes) -> UInt32 where Bytes.Element == UInt8 {
        var crc: UInt32 = 0xFFFF_FFFF
        table.withUnsafeBufferPointer { t in
            for byte in bytes { crc = t[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
        }
        return crc ^ 0xFFFF_FFFF
    }

    /// TFRecord's masked form: a CRC stored next to data whose own CRC is checked is rotated and
    /// offset so that CRCs of CRCs do not degenerate.
    public static func masked(_ crc: UInt32) -> UInt32 {
        ((crc >> 15) | (crc << 17)) &+ 0xA282_EAD8
    }
}
