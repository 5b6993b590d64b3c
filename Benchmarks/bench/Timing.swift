import Foundation

/// Median wall-clock seconds of `body` over `reps` runs after `warmup` runs; with
/// `BENCH_CLOCK=cpu`, median process CPU seconds instead. On a machine shared with niced
/// training runs, a one-thread process's wall time swings ±40% with the scheduler while its CPU
/// time holds within a few percent, so A/B comparisons of kernels use the CPU clock.
func medianSeconds(warmup: Int = 1, reps: Int = 5, _ body: () -> Void) -> Double {
    let times = medianTimes(warmup: warmup, reps: reps, body)
    return benchUsesCPUClock ? times.cpu : times.wall
}

let benchUsesCPUClock = ProcessInfo.processInfo.environment["BENCH_CLOCK"] == "cpu"

/// Median wall-clock and median process CPU seconds (all threads) of `body`. On a shared machine
/// the CPU figure is the steadier measure of work: other processes stretch the wall clock only.
func medianTimes(warmup: Int = 1, reps: Int = 5, _ body: () -> Void) -> (wall: Double, cpu: Double) {
    for _ in 0..<warmup { body() }
    var walls: [Double] = [], cpus: [Double] = []
    for _ in 0..<reps {
        let start = DispatchTime.now().uptimeNanoseconds, cpuStart = processCPUSeconds()
        body()
        walls.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        cpus.append(processCPUSeconds() - cpuStart)
    }
    return (walls.sorted()[walls.count / 2], cpus.sorted()[cpus.count / 2])
}

/// CPU time consumed so far by every thread of this process.
func processCPUSeconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
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
