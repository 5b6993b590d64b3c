import Foundation

/// Reads series back out of a `metrics.jsonl`, for the loss-curve picture after a resume.
public enum MetricsHistory {
    /// For each name, the (step, value) pairs of the lines that have it (nulls and torn lines skipped).
    public static func series(in url: URL, names: [String]) throws -> [(name: String, points: [(step: Int, value: Double)])] {
        var points = [[(step: Int, value: Double)]](repeating: [], count: names.count)
        let data = try Data(contentsOf: url)
        for line in data.split(separator: UInt8(ascii: "\n")) {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any],
                  let step = (object["step"] as? NSNumber)?.intValue else { continue }
            for (i, name) in names.enumerated() {
                if let value = (object[name] as? NSNumber)?.doubleValue { points[i].append((step, value)) }
            }
        }
        return zip(names, points).map { (name: $0, points: $1) }
    }
}
