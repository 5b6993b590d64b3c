import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// How many cores this process may really use: the smallest of the online cores, the scheduler
/// affinity mask and a cgroup CPU quota (containers, Slurm, Kubernetes), so kernels do not run
/// more threads than the quota pays for and get throttled.
///
/// A fractional quota rounds up (1.5 CPUs → 2 threads): our chunks are compute-bound and even,
/// so two threads under a 1.5-CPU quota still get 1.5 CPUs of work done per period, where one
/// thread would get 1. At least 1.
public enum CPUQuota {
    /// CPUs allowed by a cgroup v2 `cpu.max` line: "max 100000" → nil (no limit),
    /// "150000 100000" → 2, "50000 100000" → 1; nil for anything unreadable.
    public static func cgroupV2(cpuMax text: String) -> Int? {
        let fields = text.split(whereSeparator: \.isWhitespace)
        guard fields.count == 2, fields[0] != "max", let quota = Int(fields[0]), let period = Int(fields[1]) else { return nil }
        return cpus(quota: quota, period: period)
    }

    /// CPUs allowed by cgroup v1 `cpu.cfs_quota_us` and `cpu.cfs_period_us`: a quota of -1 → nil.
    public static func cgroupV1(quota: String, period: String) -> Int? {
        guard let q = Int(quota.trimmingCharacters(in: .whitespacesAndNewlines)),
              let p = Int(period.trimmingCharacters(in: .whitespacesAndNewlines)) else { return nil }
        return cpus(quota: q, period: p)
    }

    /// Threads to use: `SGD_THREADS` when set to a positive integer, else the smallest of the limits known.
    public static func threadCount(override: String?, online: Int, affinity: Int?, quota: Int?) -> Int {
        if let override, let n = Int(override), n > 0 { return n }
        return max(1, [online, affinity ?? online, quota ?? online].min()!)
    }

    private static func cpus(quota: Int, period: Int) -> Int? {
        guard quota > 0, period > 0 else { return nil }
        return max(1, (quota + period - 1) / period)
    }

    /// The quota of this process's cgroup and of every ancestor (a limit set higher up applies too).
    static func currentQuota() -> Int? {
        var limits: [Int] = []
        let cgroups = (try? String(contentsOfFile: "/proc/self/cgroup", encoding: .utf8)) ?? ""
        for line in cgroups.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3 else { continue }
            if parts[0] == "0" && parts[1].isEmpty {
                for folder in ancestors("/sys/fs/cgroup", String(parts[2])) {
                    if let text = read(folder + "/cpu.max"), let n = cgroupV2(cpuMax: text) { limits.append(n) }
                }
            } else if parts[1].split(separator: ",").contains("cpu") {
                for root in ["/sys/fs/cgroup/cpu", "/sys/fs/cgroup/cpu,cpuacct"] {
                    for folder in ancestors(root, String(parts[2])) {
                        if let q = read(folder + "/cpu.cfs_quota_us"), let p = read(folder + "/cpu.cfs_period_us"),
                           let n = cgroupV1(quota: q, period: p) { limits.append(n) }
                    }
                }
            }
        }
        return limits.min()
    }

    /// `root + path` and each folder above it up to `root` (inside a container the path is
    /// often "/", and the namespace's own limit sits at the root).
    static func ancestors(_ root: String, _ path: String) -> [String] {
        var parts = path.split(separator: "/").map(String.init)
        var result: [String] = []
        while true {
            result.append(([root] + parts).joined(separator: "/"))
            if parts.isEmpty { return result }
            parts.removeLast()
        }
    }

    private static func read(_ path: String) -> String? { try? String(contentsOfFile: path, encoding: .utf8) }

    /// Cores in a `Cpus_allowed_list` of /proc/self/status ("0-3,8,10-11" → 7); nil if unreadable.
    public static func allowedCores(list text: String) -> Int? {
        var total = 0
        for item in text.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ",") {
            let bounds = item.split(separator: "-", omittingEmptySubsequences: false)
            guard let lo = Int(bounds[0]), lo >= 0 else { return nil }
            switch bounds.count {
            case 1: total += 1
            case 2: guard let hi = Int(bounds[1]), hi >= lo else { return nil }; total += hi - lo + 1
            default: return nil
            }
        }
        return total > 0 ? total : nil
    }

    /// Cores in this process's scheduler affinity mask (sched_getaffinity needs _GNU_SOURCE,
    /// which Swift's Glibc module does not define; the kernel reports the same mask here).
    static func affinityCount() -> Int? {
        guard let status = read("/proc/self/status"),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Cpus_allowed_list:") }) else { return nil }
        return allowedCores(list: String(line.dropFirst("Cpus_allowed_list:".count)))
    }
}
