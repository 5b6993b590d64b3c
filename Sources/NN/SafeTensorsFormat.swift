import Tensors
/// Element types a safetensors file may hold here.
public enum SafeTensorsDType: String, Sendable {
    case f32 = "F32", i64 = "I64", i32 = "I32"

    /// Bytes per element.
    public var size: Int { self == .i64 ? 8 : 4 }
}

/// The values of one stored tensor.
public enum SafeTensorsData: Sendable, Equatable {
    case f32([Float]), i64([Int64]), i32([Int32])

    public var dtype: SafeTensorsDType {
        switch self { case .f32: .f32; case .i64: .i64; case .i32: .i32 }
    }

    public var count: Int {
        switch self { case .f32(let v): v.count; case .i64(let v): v.count; case .i32(let v): v.count }
    }
}

/// One named tensor of a safetensors file.
public struct SafeTensor: Sendable, Equatable {
    public var shape: [Int]
    public var data: SafeTensorsData

    public init(shape: [Int], data: SafeTensorsData) {
        require(shape.reduce(1, *) == data.count, "SafeTensor: shape \(shape) for \(data.count) values")
        self.shape = shape
        self.data = data
    }
}

/// Why a safetensors file could not be read or written; always names the file.
public struct SafeTensorsError: Error, CustomStringConvertible, Equatable {
    public var source: String
    public var problem: String
    public var description: String { "\(source): \(problem)" }
}
