import Foundation

/// A contiguous, row-major Float32 tensor with optional reverse-mode gradient tracking.
///
/// Values are immutable once an op has produced them, except for leaves (parameters), which
/// optimizers update in place through `withMutableData`.
public final class Tensor {
    /// Dimensions, outermost first (NCHW for images).
    public let shape: [Int]
    /// Number of elements: the product of `shape`.
    public let count: Int
    public let storage: TensorStorage
    /// Whether gradients flow to this tensor (parameters, and any op result that depends on one).
    public var requiresGrad: Bool
    /// The accumulated gradient of a leaf after `backward()`; nil until then.
    public var grad: Tensor?
    /// How this tensor was computed; nil for leaves and in no-grad mode.
    var node: GradNode?

    init(shape: [Int], storage: TensorStorage, requiresGrad: Bool = false) {
        require(shape.allSatisfy { $0 >= 0 }, "negative dimension in shape \(shape)")
        self.shape = shape
        self.count = shape.reduce(1, *)
        require(storage.count == count, "storage holds \(storage.count) floats, shape \(shape) needs \(count)")
        self.storage = storage
        self.requiresGrad = requiresGrad
    }

    /// Uninitialised tensor; the caller must write every element.
    public static func uninitialized(_ shape: [Int]) -> Tensor {
        Tensor(shape: shape, storage: TensorStorage(uninitializedCount: shape.reduce(1, *)))
    }

    /// A tensor of `shape` filled with `value`.
    public static func full(_ shape: [Int], _ value: Float) -> Tensor {
        let t = uninitialized(shape)
        t.storage.pointer.update(repeating: value, count: t.count)
        return t
    }

    public static func zeros(_ shape: [Int]) -> Tensor { full(shape, 0) }
    public static func ones(_ shape: [Int]) -> Tensor { full(shape, 1) }

    /// A tensor holding `scalars` in row-major order.
    public convenience init(shape: [Int], scalars: [Float], requiresGrad: Bool = false) {
        let n = shape.reduce(1, *)
        require(scalars.count == n, "\(scalars.count) scalars for shape \(shape) (\(n) elements)")
        let storage = TensorStorage(uninitializedCount: n)
        scalars.withUnsafeBufferPointer { src in
            if n > 0 { storage.pointer.update(from: src.baseAddress!, count: n) }
        }
        self.init(shape: shape, storage: storage, requiresGrad: requiresGrad)
    }

    /// A scalar (rank-0) tensor.
    public convenience init(_ value: Float) { self.init(shape: [], scalars: [value]) }

    /// Normally distributed values (mean 0, standard deviation `std`) from a seeded generator.
    public static func normal(_ shape: [Int], std: Float = 1, using rng: inout RandomGenerator) -> Tensor {
        let t = uninitialized(shape)
        rng.fillNormal(t.storage.pointer, count: t.count, std: std)
        return t
    }

    /// Uniform values in [low, high) from a seeded generator.
    public static func uniform(_ shape: [Int], low: Float = 0, high: Float = 1, using rng: inout RandomGenerator) -> Tensor {
        let t = uninitialized(shape)
        rng.fillUniform(t.storage.pointer, count: t.count, low: low, high: high)
        return t
    }

    /// The values as an array, row-major.
    public var scalars: [Float] {
        Array(UnsafeBufferPointer(start: storage.pointer, count: count))
    }

    /// The single value of a one-element tensor.
    public var item: Float {
        require(count == 1, "item() on a tensor of shape \(shape)")
        return storage.pointer[0]
    }

    public var rank: Int { shape.count }

    /// Read-only access to the values.
    @inlinable
    public func withData<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(start: storage.pointer, count: count))
    }

    /// In-place access to the values, for optimizers and loaders writing into leaves.
    @inlinable
    public func withMutableData<R>(_ body: (UnsafeMutableBufferPointer<Float>) throws -> R) rethrows -> R {
        try body(UnsafeMutableBufferPointer(start: storage.pointer, count: count))
    }

    /// A new leaf with the same values and no history.
    public func detached() -> Tensor { Tensor(shape: shape, storage: storage) }

    /// A copy with its own storage.
    public func copy() -> Tensor {
        let t = Tensor.uninitialized(shape)
        t.storage.pointer.update(from: storage.pointer, count: count)
        return t
    }
}

extension Tensor: CustomStringConvertible {
    public var description: String {
        let preview = scalars.prefix(8).map { String(format: "%.4g", $0) }.joined(separator: ", ")
        return "Tensor(\(shape): [\(preview)\(count > 8 ? ", …" : "")])"
    }
}
