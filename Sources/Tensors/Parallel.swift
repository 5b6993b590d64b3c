import Dispatch
import Foundation

/// Splits `0..<n` into contiguous chunks run on the available cores. Small jobs run inline: a
/// dispatch costs microseconds, so work below `minimumPerThread` items stays on one thread.
@inlinable
public func parallelChunks(_ n: Int, minimumPerThread: Int = 1, _ body: (Range<Int>) -> Void) {
    let threads = min(ParallelConfig.threadCount, max(1, n / max(minimumPerThread, 1)))
    if threads <= 1 { if n > 0 { body(0..<n) }; return }
    withoutActuallyEscaping(body) { body in
        let box = UnsafeSendableBox(body)
        DispatchQueue.concurrentPerform(iterations: threads) { i in
            let lo = n * i / threads, hi = n * (i + 1) / threads
            if lo < hi { box.value(lo..<hi) }
        }
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

/// Carries a non-Sendable closure into `concurrentPerform`; the chunks it receives are disjoint.
@usableFromInline
struct UnsafeSendableBox<T>: @unchecked Sendable {
    @usableFromInline let value: T
    @usableFromInline init(_ value: T) { self.value = value }
}
