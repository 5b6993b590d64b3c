import Foundation
import Output

extension SafeTensorsFile {
    /// The file's bytes: tensors sorted by name (deterministic), header padded with spaces to a
    /// multiple of 8.
    public func serialized() throws -> [UInt8] {
        let names = tensors.keys.sorted()
        var header: [String: Any] = [:]
        var offset = 0
        for name in names {
            let t = tensors[name]!
            let bytes = t.data.count * t.data.dtype.size
            header[name] = ["dtype": t.data.dtype.rawValue, "shape": t.shape, "data_offsets": [offset, offset + bytes]] as [String: Any]
            offset += bytes
        }
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        while json.count % 8 != 0 { json.append(UInt8(ascii: " ")) }
        var out = [UInt8]()
        out.reserveCapacity(8 + json.count + offset)
        for i in 0..<8 { out.append(UInt8(truncatingIfNeeded: UInt64(json.count) >> (8 * UInt64(i)))) }
        out.append(contentsOf: json)
        for name in names {
            switch tensors[name]!.data {
            case .f32(let v): v.withUnsafeBytes { out.append(contentsOf: $0) }
            case .i64(let v): v.withUnsafeBytes { out.append(contentsOf: $0) }
            case .i32(let v): v.withUnsafeBytes { out.append(contentsOf: $0) }
            }
        }
        return out
    }

    /// Writes the file atomically: a temporary file in the same folder, fsync, rename. On any
    /// failure the destination is untouched and the temporary file removed.
    public func write(to url: URL) throws {
        let bytes = try serialized()
        try AtomicFile.write(bytes, to: url)
    }

    /// A float tensor by name, with its shape.
    public func floats(_ name: String) throws -> (shape: [Int], values: [Float]) {
        guard let t = tensors[name] else { throw SafeTensorsError(source: "safetensors", problem: "no tensor named \"\(name)\"") }
        guard case .f32(let v) = t.data else {
            throw SafeTensorsError(source: "safetensors", problem: "tensor \"\(name)\" is \(t.data.dtype.rawValue), not F32")
        }
        return (t.shape, v)
    }

    /// An integer tensor (I64 or I32) by name, with its shape.
    public func ints(_ name: String) throws -> (shape: [Int], values: [Int]) {
        guard let t = tensors[name] else { throw SafeTensorsError(source: "safetensors", problem: "no tensor named \"\(name)\"") }
        switch t.data {
        case .i64(let v): return (t.shape, v.map { Int($0) })
        case .i32(let v): return (t.shape, v.map { Int($0) })
        case .f32: throw SafeTensorsError(source: "safetensors", problem: "tensor \"\(name)\" is F32, not an integer type")
        }
    }
}
