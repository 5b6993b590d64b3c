// Stand-in declarations until the safetensors branch merges (then this file is deleted).
import Foundation
public enum SafeTensorsData: Sendable { case f32([Float]), i64([Int64]), i32([Int32]) }
public struct SafeTensor: Sendable { public var shape: [Int]; public var data: SafeTensorsData
    public init(shape: [Int], data: SafeTensorsData) { self.shape = shape; self.data = data } }
public struct SafeTensorsFile: Sendable {
    public var tensors: [String: SafeTensor]; public var metadata: [String: String]
    public init(tensors: [String: SafeTensor], metadata: [String: String]) { self.tensors = tensors; self.metadata = metadata }
    public init(contentsOf url: URL) throws { fatalError("pending") }
    public func floats(_ name: String) throws -> (shape: [Int], values: [Float]) { fatalError("pending") }
    public func ints(_ name: String) throws -> (shape: [Int], values: [Int]) { fatalError("pending") }
}
