import Foundation
import Testing
@testable import NN
import Output

/// SplitMix64, local to the tests so corruption runs are reproducible.
struct TestRandom {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
}

@Suite struct SafeTensorsTests {
    static let sample = SafeTensorsFile(tensors: [
        "w": SafeTensor(shape: [2, 3], data: .f32([0, -0.0, .infinity, -.infinity, Float.leastNonzeroMagnitude, 3.25])),
        "ids": SafeTensor(shape: [4], data: .i64([0, -1, Int64.max, Int64.min])),
        "small": SafeTensor(shape: [1, 2], data: .i32([7, -7])),
        "empty": SafeTensor(shape: [0, 3], data: .f32([])),
    ], metadata: ["config": "channels=32", "note": "ünïcode"])

    @Test func roundTripIsExactAndDeterministic() throws {
        let bytes = try Self.sample.serialized()
        #expect(try Self.sample.serialized() == bytes)
        let back = try SafeTensorsFile(bytes: bytes, source: "memory")
        #expect(back.tensors == Self.sample.tensors)
        #expect(back.metadata == Self.sample.metadata)
        guard case .f32(let w) = back.tensors["w"]!.data else { Issue.record("dtype"); return }
        #expect(w[1].sign == .minus && w[4] == Float.leastNonzeroMagnitude)
        let headerLength = bytes.prefix(8).enumerated().reduce(0) { $0 | (Int($1.element) << (8 * $1.offset)) }
        #expect(headerLength % 8 == 0)
    }

    @Test func referenceFixturesLoadByName() throws {
        let weights = try SafeTensorsFile(contentsOf: fixturesFolder.appendingPathComponent("model_tiny.weights.safetensors"))
        #expect(weights.tensors.count == 232)   // 233 header keys with __metadata__
        #expect(weights.metadata["config"]?.contains("channels=32") == true)
        let convIn = try weights.floats("unet.conv_in.weight")
        #expect(convIn.shape == [32, 3, 3, 3])
        #expect(convIn.values.allSatisfy { $0.isFinite })
        let io = try SafeTensorsFile(contentsOf: fixturesFolder.appendingPathComponent("model_tiny.io.safetensors"))
        #expect(try io.ints("triples").shape == [15, 3])
        #expect(try io.ints("objs").shape == [12])
        #expect(try io.floats("eps").shape == [3, 3, 8, 8])
        #expect(throws: SafeTensorsError.self) { try io.floats("objs") }
        #expect(throws: SafeTensorsError.self) { try io.floats("no.such.tensor") }

        // Independent decode of the first value of one tensor straight from the file's bytes.
        let raw = try [UInt8](Data(contentsOf: fixturesFolder.appendingPathComponent("adamw_fixed.safetensors")))
        let n = raw.prefix(8).enumerated().reduce(0) { $0 | (Int($1.element) << (8 * $1.offset)) }
        let header = try JSONSerialization.jsonObject(with: Data(raw[8..<(8 + n)])) as! [String: Any]
        let begin = ((header["param.a"] as! [String: Any])["data_offsets"] as! [Int])[0]
        let bitsStart = 8 + n + begin
        let bits = (0..<4).reduce(UInt32(0)) { $0 | (UInt32(raw[bitsStart + $1]) << (8 * UInt32($1))) }
        let adamw = try SafeTensorsFile(contentsOf: fixturesFolder.appendingPathComponent("adamw_fixed.safetensors"))
        #expect(try adamw.floats("param.a").values[0] == Float(bitPattern: bits))
    }

    /// Rewrites the header of `bytes` with `edit` applied to its JSON object.
    func withHeader(_ bytes: [UInt8], _ edit: (inout [String: Any]) -> Void) -> [UInt8] {
        let n = bytes.prefix(8).enumerated().reduce(0) { $0 | (Int($1.element) << (8 * $1.offset)) }
        var header = try! JSONSerialization.jsonObject(with: Data(bytes[8..<(8 + n)])) as! [String: Any]
        edit(&header)
        var json = [UInt8](try! JSONSerialization.data(withJSONObject: header))
        while json.count % 8 != 0 { json.append(32) }
        var out = (0..<8).map { UInt8(truncatingIfNeeded: json.count >> (8 * $0)) }
        out += json
        out += bytes[(8 + n)...]
        return out
    }

    @Test func tenThousandCorruptionsNeverCrash() throws {
        let valid = try Self.sample.serialized()
        let headerLength = valid.prefix(8).enumerated().reduce(0) { $0 | (Int($1.element) << (8 * $1.offset)) }
        var rng = TestRandom(state: 2026)
        var mustThrow = 0, threw = 0
        for i in 0..<10_000 {
            var bytes = valid
            var invalid = true
            switch i % 8 {
            case 0: bytes = Array(bytes.prefix(rng.below(valid.count)))                       // truncation
            case 1:                                                                         // header byte flips
                for _ in 0..<(1 + rng.below(4)) { bytes[8 + rng.below(headerLength)] ^= UInt8(1 + rng.below(255)) }
                invalid = false
            case 2:                                                                         // huge header length
                let big = UInt64(headerLength) + 1 + (rng.next() >> UInt64(rng.below(63)))
                for k in 0..<8 { bytes[k] = UInt8(truncatingIfNeeded: big >> (8 * UInt64(k))) }
            case 3:                                                                         // overlapping offsets
                bytes = withHeader(valid) { h in
                    var w = h["w"] as! [String: Any]; w["data_offsets"] = [0, 24]; h["w"] = w
                    var s = h["small"] as! [String: Any]; s["data_offsets"] = [16, 24]; h["small"] = s
                }
            case 4:                                                                         // out-of-range / gapped offsets
                let shift = 1 + rng.below(1 << 20)
                bytes = withHeader(valid) { h in
                    var w = h["w"] as! [String: Any]
                    let o = w["data_offsets"] as! [Int]
                    w["data_offsets"] = [o[0] + shift, o[1] + shift]; h["w"] = w
                }
            case 5:                                                                         // wrong shape
                let d = 2 + rng.below(1000)
                bytes = withHeader(valid) { h in var s = h["small"] as! [String: Any]; s["shape"] = [d, 2]; h["small"] = s }
            case 6:                                                                         // non-string metadata / bad dtype
                bytes = withHeader(valid) { h in
                    if rng.below(2) == 0 { h["__metadata__"] = ["n": rng.below(9)] } else {
                        var s = h["small"] as! [String: Any]; s["dtype"] = ["F16", "BF16", "U8", "X"][rng.below(4)]; h["small"] = s
                    }
                }
            default:                                                                        // any byte anywhere
                bytes[rng.below(bytes.count)] ^= UInt8(1 + rng.below(255))
                invalid = false
            }
            if invalid { mustThrow += 1 }
            do {
                let f = try SafeTensorsFile(bytes: bytes, source: "fuzz")
                #expect(!invalid, "corruption \(i) (kind \(i % 8)) was accepted")
                for t in f.tensors.values { #expect(t.shape.reduce(1, *) == t.data.count) }
            } catch let e as SafeTensorsError {
                threw += 1
                #expect(e.description.hasPrefix("fuzz: "))
            }
        }
        #expect(mustThrow == 7_500 && threw >= mustThrow)
    }

    @Test func atomicWriteLeavesNothingBehindOnFailureOrSuccess() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("st-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let missing = folder.appendingPathComponent("no/such/folder/x.safetensors")
        #expect(throws: OutputError.self) { try Self.sample.write(to: missing) }
        let target = folder.appendingPathComponent("x.safetensors")
        try Self.sample.write(to: target)
        let listing = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        #expect(listing == ["x.safetensors"])
        let reread = try SafeTensorsFile(contentsOf: target)
        #expect(reread.tensors == Self.sample.tensors)
    }
}
