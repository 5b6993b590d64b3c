import Foundation

/// Splits `0..<n` into contiguous chunks run on the available cores (`WorkerPool`). The chunks
/// depend only on n and the thread count, never on which thread runs them. Small jobs run
/// inline: below `minimumPerThread` items per thread the split stays on one thread. A call made
/// while another split is running (nested, or from another thread) runs its chunks inline.
public func parallelChunks(_ n: Int, minimumPerThread: Int = 1, _ body: (Range<Int>) -> Void) {
    let threads = min(ParallelConfig.threadCount, max(1, n / max(minimumPerThread, 1)))
    if threads <= 1 { if n > 0 { body(0..<n) }; return }
    func chunk(_ i: Int) {
        let lo = n * i / threads, hi = n * (i + 1) / threads
        if lo < hi { body(lo..<hi) }
    }
    // When the pool is taken (a nested call, or another thread's job) the chunks run here, one
    // after another, at the same boundaries: kernels that reduce per chunk must give the same
    // bits whoever runs them, or a run stops being reproducible under load.
    if WorkerPool.shared?.run(chunks: threads, chunk) != true {
        for i in 0..<threads { chunk(i) }
    }
}

/// Thread count for our own kernels (OpenBLAS keeps its own pool for GEMM): `SGD_THREADS` if
/// set, else the cores the affinity mask and any cgroup CPU quota allow (see `CPUQuota`).
public enum ParallelConfig {
    public static let threadCount: Int = CPUQuota.threadCount(
        override: ProcessInfo.processInfo.environment["SGD_THREADS"],
        online: ProcessInfo.processInfo.activeProcessorCount,
        affinity: CPUQuota.affinityCount(),
        quota: CPUQuota.currentQuota())
}
