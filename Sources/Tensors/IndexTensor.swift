/// Integer tensor for graph indices and class labels (objects, triples, obj_to_img, …).
public struct IndexTensor: Sendable, Equatable {
    public let shape: [Int]
    public let values: [Int]

    public init(shape: [Int], values: [Int]) {
        require(values.count == shape.reduce(1, *), "\(values.count) values for shape \(shape)")
        self.shape = shape
        self.values = values
    }

    /// A rank-1 index tensor.
    public init(_ values: [Int]) { self.init(shape: [values.count], values: values) }

    public var count: Int { values.count }

    /// Column `j` of a rank-2 index tensor (e.g. the subjects of `[T, 3]` triples).
    public func column(_ j: Int) -> IndexTensor {
        require(shape.count == 2 && j >= 0 && j < shape[1], "IndexTensor.column(\(j)) of shape \(shape)")
        let cols = shape[1]
        return IndexTensor((0..<shape[0]).map { values[$0 * cols + j] })
    }
}
