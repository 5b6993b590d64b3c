import Testing
@testable import RunLogging

@Suite struct CRC32CTests {
    @Test func standardCheckValue() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
    }

    /// The iSCSI vectors of RFC 3720, appendix B.4.
    @Test func rfc3720Vectors() {
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
        #expect(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)) == 0x62A8_AB43)
        #expect(CRC32C.checksum((0..<32).map { UInt8($0) }) == 0x46DD_794E)
        #expect(CRC32C.checksum([UInt8]()) == 0)
    }

    @Test func agreesWithBitwiseCRC() {
        let bytes = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 7919 &+ 13) }
        #expect(CRC32C.checksum(bytes) == bitwiseCRC32C(bytes))
    }

    /// By hand: 0xE3069283 rotated right by 15 is 0x2507C60D; plus 0xA282EAD8 is 0xC78AB0E5.
    @Test func mask() {
        #expect(CRC32C.masked(0) == 0xA282_EAD8)
        #expect(CRC32C.masked(0xE306_9283) == 0xC78A_B0E5)
    }
}
