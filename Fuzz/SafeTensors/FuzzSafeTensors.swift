import FuzzSupport
import NN

/// Any bytes either parse as a safetensors file or throw SafeTensorsError; a crash, hang or
/// sanitizer report is a bug in the reader. What parses must survive a write and a read.
@main enum FuzzSafeTensors {
    static func main() { fuzzMain(fuzzOne) }
}

private func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    guard let file = try? SafeTensorsFile(bytes: bytes, source: "fuzz") else { return 0 }
    // Compared as bytes: a stored NaN is not equal to itself as a Float.
    guard let bytes = try? file.serialized(), let again = try? SafeTensorsFile(bytes: bytes, source: "fuzz again"),
          (try? again.serialized()) == bytes else {
        fatalError("a safetensors file that parsed did not survive a write and read")
    }
    return 0
}
