import CBLAS
import Foundation

/// Makes OpenBLAS use the kernels of the CPU at hand without the user knowing about BLAS.
///
/// Debian's OpenBLAS 0.3.21 reports a generic core ("Prescott") on CPUs it does not know, such as
/// recent Xeons, and then runs GEMM ~5× slower. It reads `OPENBLAS_CORETYPE` only when the library
/// loads, so the one fix a program can apply is to start itself again with the variable set.
public enum OpenBLASCore {
    /// Core names OpenBLAS falls back to when it does not recognise the CPU.
    static let genericCores: Set<String> = ["prescott", "core2", "penryn", "dunnington", "nehalem", "atom", "katmai",
                                            "coppermine", "northwood", "banias", "generic"]

    /// The `OPENBLAS_CORETYPE` to restart with, or nil to keep running as is: only when OpenBLAS
    /// chose a generic core on a CPU with AVX-512 (F/BW/VL/DQ → SkylakeX) or AVX2 + FMA (→ Haswell),
    /// and never when the user set the variable (whatever its value).
    public static func coreTypeToSet(detectedCore: String, cpuFlags: Set<String>, userValue: String?) -> String? {
        if userValue != nil { return nil }
        guard genericCores.contains(detectedCore.trimmingCharacters(in: .whitespaces).lowercased()) else { return nil }
        if cpuFlags.isSuperset(of: ["avx512f", "avx512bw", "avx512vl", "avx512dq"]) { return "SkylakeX" }
        if cpuFlags.isSuperset(of: ["avx2", "fma"]) { return "Haswell" }
        return nil
    }

    /// Call first thing in `main`: if OpenBLAS picked generic kernels on a CPU that has AVX2 or
    /// AVX-512, re-executes this program once with `OPENBLAS_CORETYPE` set and says so on stderr.
    /// The restarted process sees the variable set and goes on, so this never loops.
    public static func ensureOptimizedKernels() {
        #if os(Linux)
        let environment = ProcessInfo.processInfo.environment
        guard let name = openblas_get_corename() else { return }
        let core = String(cString: name)
        guard let coreType = coreTypeToSet(detectedCore: core, cpuFlags: cpuFlags(),
                                           userValue: environment["OPENBLAS_CORETYPE"]) else { return }
        FileHandle.standardError.write(Data(
            "OpenBLAS chose its generic '\(core)' kernels on this CPU; restarting with OPENBLAS_CORETYPE=\(coreType) (set OPENBLAS_CORETYPE yourself to choose).\n".utf8))
        setenv("OPENBLAS_CORETYPE", coreType, 1)
        let arguments = CommandLine.arguments.map { strdup($0) } + [nil]
        execv("/proc/self/exe", arguments)
        // Only reached when exec failed: carry on with the slow kernels rather than stop.
        FileHandle.standardError.write(Data("warning: restart failed (errno \(errno)); continuing with '\(core)' kernels.\n".utf8))
        #endif
    }

    /// The feature flags of the first CPU in /proc/cpuinfo (empty when unreadable).
    static func cpuFlags() -> Set<String> {
        guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let line = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return [] }
        return Set(line.split(separator: " ").map(String.init))
    }
}
