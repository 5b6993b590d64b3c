import Foundation

/// Median wall-clock seconds of `body` over `reps` runs after `warmup` runs.
func medianSeconds(warmup: Int = 1, reps: Int = 5, _ body: () -> Void) -> Double {
    for _ in 0..<warmup { body() }
    var times: [Double] = []
    for _ in 0..<reps {
        let start = DispatchTime.now().uptimeNanoseconds
        body()
        times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }
    return times.sorted()[times.count / 2]
}

/// `medianSeconds` for a body that can fail.
func medianSecondsThrowing(warmup: Int = 1, reps: Int = 5, _ body: () throws -> Void) throws -> Double {
    var failure: Error? = nil
    let s = medianSeconds(warmup: warmup, reps: reps) { if failure == nil { do { try body() } catch { failure = error } } }
    if let failure { throw failure }
    return s
}

/// Resident set size and its peak, in MiB, from /proc/self/status.
func memoryMiB() -> (rss: Double, peak: Double) {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return (0, 0) }
    func field(_ name: String) -> Double {
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(name) }) else { return 0 }
        return (Double(line.split(separator: " ", omittingEmptySubsequences: true)[1]) ?? 0) / 1024
    }
    return (field("VmRSS:"), field("VmHWM:"))
}

/// One printed benchmark row: name, forward and backward medians in milliseconds.
func printRow(_ name: String, forward: Double, backward: Double? = nil) {
    let f = String(format: "%9.3f ms", forward * 1000)
    let b = backward.map { String(format: "%9.3f ms", $0 * 1000) } ?? "         -"
    print("\(name.padding(toLength: 52, withPad: " ", startingAt: 0)) fwd \(f)   bwd \(b)")
}
