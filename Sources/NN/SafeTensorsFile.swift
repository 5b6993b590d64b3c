import Foundation

/// A safetensors file in memory: named tensors and string metadata.
///
/// Layout: 8-byte little-endian header length N, N bytes of JSON
/// (`{"name": {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {…}}`), then the
/// data section, which the offsets must tile exactly. Reading trusts nothing in the file: every
/// size is checked (with overflow-checked arithmetic) before a byte is copied.
public struct SafeTensorsFile: Sendable {
    public var tensors: [String: SafeTensor]
    public var metadata: [String: String]

    /// Headers beyond this are refused rather than parsed.
    static let maximumHeaderBytes = 100 << 20
    /// Deeper JSON nesting than this cannot be a safetensors header (and could exhaust the stack).
    static let maximumNesting = 8

    public init(tensors: [String: SafeTensor], metadata: [String: String] = [:]) {
        self.tensors = tensors
        self.metadata = metadata
    }

    /// Reads and validates a file.
    public init(contentsOf url: URL) throws {
        let data: Data
        do { data = try Data(contentsOf: url, options: .alwaysMapped) } catch {
            throw SafeTensorsError(source: url.path, problem: "cannot read: \(error.localizedDescription)")
        }
        try self.init(data: data, source: url.path)
    }

    /// Parses and validates the bytes of a file; `source` names it in errors.
    public init(bytes: [UInt8], source: String) throws {
        try self.init(data: Data(bytes), source: source)
    }

    init(data: Data, source: String) throws {
        func fail(_ problem: String) -> SafeTensorsError { SafeTensorsError(source: source, problem: problem) }
        guard data.count >= 8 else { throw fail("file is \(data.count) bytes, shorter than the 8-byte header length") }
        let declared = data.prefix(8).enumerated().reduce(UInt64(0)) { $0 | (UInt64($1.element) << (8 * UInt64($1.offset))) }
        guard declared <= UInt64(Self.maximumHeaderBytes) else { throw fail("header length \(declared) is over the \(Self.maximumHeaderBytes)-byte limit") }
        let headerLength = Int(declared)
        guard headerLength <= data.count - 8 else { throw fail("header length \(headerLength) but only \(data.count - 8) bytes follow") }
        let headerBytes = data.subdata(in: 8..<(8 + headerLength))
        let header = try Self.parseHeader(headerBytes, fail: fail)
        let dataStart = 8 + headerLength, dataLength = data.count - dataStart

        var entries: [(name: String, dtype: SafeTensorsDType, shape: [Int], begin: Int, end: Int)] = []
        var metadata: [String: String] = [:]
        for (name, value) in header {
            if name == "__metadata__" {
                guard let dict = value as? [String: Any] else { throw fail("__metadata__ is not an object") }
                for (k, v) in dict {
                    guard let s = v as? String else { throw fail("__metadata__ value of \"\(k)\" is not a string") }
                    metadata[k] = s
                }
                continue
            }
            guard let info = value as? [String: Any] else { throw fail("tensor \"\(name)\": entry is not an object") }
            guard let dtypeName = info["dtype"] as? String else { throw fail("tensor \"\(name)\": missing or non-string dtype") }
            guard let dtype = SafeTensorsDType(rawValue: dtypeName) else {
                throw fail("tensor \"\(name)\": unsupported dtype \(dtypeName) (supported: F32, I64, I32)")
            }
            guard let shapeValues = info["shape"] as? [Any] else { throw fail("tensor \"\(name)\": missing or non-array shape") }
            var shape: [Int] = []
            var elements = 1
            for v in shapeValues {
                guard let d = Self.exactInteger(v), d >= 0 else { throw fail("tensor \"\(name)\": shape \(shapeValues) has a non-integer or negative dimension") }
                let (product, overflow) = elements.multipliedReportingOverflow(by: d)
                guard !overflow else { throw fail("tensor \"\(name)\": shape \(shapeValues) overflows") }
                elements = product
                shape.append(d)
            }
            guard let offsets = info["data_offsets"] as? [Any], offsets.count == 2,
                  let begin = Self.exactInteger(offsets[0]), let end = Self.exactInteger(offsets[1]), begin >= 0, begin <= end else {
                throw fail("tensor \"\(name)\": data_offsets must be two integers 0 ≤ begin ≤ end")
            }
            let (bytes, overflow) = elements.multipliedReportingOverflow(by: dtype.size)
            guard !overflow, end - begin == bytes else {
                throw fail("tensor \"\(name)\": data_offsets [\(begin), \(end)] but shape \(shape) \(dtype.rawValue) needs \(overflow ? "too many" : String(bytes)) bytes")
            }
            entries.append((name, dtype, shape, begin, end))
        }
        // The offsets must tile the data section: sorted, contiguous, ending at its end.
        entries.sort { ($0.begin, $0.end, $0.name) < ($1.begin, $1.end, $1.name) }
        var cursor = 0
        for e in entries {
            guard e.begin == cursor else {
                throw fail(e.begin < cursor ? "tensor \"\(e.name)\": data_offsets [\(e.begin), \(e.end)] overlap the previous tensor"
                                            : "tensor \"\(e.name)\": gap of \(e.begin - cursor) bytes before data_offsets [\(e.begin), \(e.end)]")
            }
            cursor = e.end
        }
        guard cursor == dataLength else {
            throw fail(cursor > dataLength ? "data section is \(dataLength) bytes but offsets reach \(cursor) (truncated file?)"
                                           : "data section is \(dataLength) bytes but tensors cover only \(cursor)")
        }
        var tensors: [String: SafeTensor] = [:]
        data.withUnsafeBytes { raw in
            let base = raw.baseAddress! + dataStart
            for e in entries {
                let n = (e.end - e.begin) / e.dtype.size, src = UnsafeRawPointer(base + e.begin)
                let values: SafeTensorsData
                switch e.dtype {
                case .f32: values = .f32([Float](unsafeUninitializedCapacity: n) { b, c in
                    if n > 0 { memcpy(b.baseAddress!, src, n * 4) }; c = n })
                case .i64: values = .i64([Int64](unsafeUninitializedCapacity: n) { b, c in
                    if n > 0 { memcpy(b.baseAddress!, src, n * 8) }; c = n })
                case .i32: values = .i32([Int32](unsafeUninitializedCapacity: n) { b, c in
                    if n > 0 { memcpy(b.baseAddress!, src, n * 4) }; c = n })
                }
                tensors[e.name] = SafeTensor(shape: e.shape, data: values)
            }
        }
        self.tensors = tensors
        self.metadata = metadata
    }

    /// The header as a JSON object, refusing non-UTF-8 bytes, duplicate keys and deep nesting.
    static func parseHeader(_ bytes: Data, fail: (String) -> SafeTensorsError) throws -> [String: Any] {
        guard String(data: bytes, encoding: .utf8) != nil else { throw fail("header is not valid UTF-8") }
        var depth = 0, inString = false, escaped = false
        for b in bytes {
            if inString {
                if escaped { escaped = false } else if b == UInt8(ascii: "\\") { escaped = true } else if b == UInt8(ascii: "\"") { inString = false }
                continue
            }
            switch b {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
                if depth > maximumNesting { throw fail("header JSON is nested more than \(maximumNesting) levels deep") }
            case UInt8(ascii: "}"), UInt8(ascii: "]"): depth -= 1
            default: break
            }
        }
        let object: Any
        do { object = try JSONSerialization.jsonObject(with: bytes) } catch { throw fail("header is not valid JSON") }
        guard let dict = object as? [String: Any] else { throw fail("header JSON is not an object") }
        return dict
    }

    /// An integer JSON number (not a bool, not fractional, within Int range), else nil.
    /// On Linux `0 is Bool` is true for NSNumber, so booleans are told apart by their type code.
    static func exactInteger(_ value: Any) -> Int? {
        guard let n = value as? NSNumber, String(cString: n.objCType) != "c" else { return nil }
        let d = n.doubleValue
        guard d.isFinite, d == d.rounded(), abs(d) < 9.0e15 else { return nil }
        return Int(d)
    }
}
