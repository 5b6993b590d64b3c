import Foundation

/// One state of a generation as its subscribers receive it: the status JSON, and whether it is the last.
public struct ServerEvent: Sendable {
    public let json: [UInt8]
    public let isFinal: Bool
}

/// JSON bytes of a body built from dictionaries (keys sorted, so equal states give equal bytes).
func jsonBytes(_ object: [String: Any]) -> [UInt8] {
    guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]) else {
        return Array(#"{"error": {"message": "the response could not be encoded", "field": null}}"#.utf8)
    }
    return Array(data)
}
