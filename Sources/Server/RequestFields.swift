import Foundation

/// Typed reads of a request body's top-level fields, each refusal naming the field: a JSON
/// `true` is not a number, `2.5` is not a count.
struct RequestFields {
    let object: [String: Any]
    init(_ object: [String: Any]) { self.object = object }

    /// A whole number, or nil when the field is absent or null.
    func integer(_ key: String) throws(APIError) -> Int? {
        guard let value = present(key) else { return nil }
        guard let n = value as? NSNumber, !isBool(n), n.doubleValue.isFinite, n.doubleValue == n.doubleValue.rounded(),
              abs(n.doubleValue) < 9.0e15 else {
            throw .badRequest("\(key) must be a whole number", field: key)
        }
        return Int(n.doubleValue)
    }

    /// A finite number, or nil when absent or null.
    func number(_ key: String) throws(APIError) -> Double? {
        guard let value = present(key) else { return nil }
        guard let n = value as? NSNumber, !isBool(n), n.doubleValue.isFinite else { throw .badRequest("\(key) must be a number", field: key) }
        return n.doubleValue
    }

    /// A string, or nil when absent or null.
    func string(_ key: String) throws(APIError) -> String? {
        guard let value = present(key) else { return nil }
        guard let s = value as? String else { throw .badRequest("\(key) must be a string", field: key) }
        return s
    }

    /// The seed: a whole number in 0…2⁶³−1 (JSON numbers past 2⁵³ lose digits in JavaScript, so
    /// the page keeps to those; any client may send the rest).
    func seed() throws(APIError) -> UInt64? {
        guard let value = present("seed") else { return nil }
        guard let n = value as? NSNumber, !isBool(n), n.doubleValue >= 0, n.stringValue == String(n.int64Value) else {
            throw .badRequest("seed must be a whole number in 0…\(Int64.max)", field: "seed")
        }
        return UInt64(n.int64Value)
    }

    private func present(_ key: String) -> Any? {
        guard let value = object[key], !(value is NSNull) else { return nil }
        return value
    }

    private func isBool(_ n: NSNumber) -> Bool {
        // JSONSerialization gives booleans as NSNumber too; their Objective-C type is "c" (char) on every platform.
        String(cString: n.objCType) == "c"
    }
}
