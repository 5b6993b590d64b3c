import CSpinWait
import Foundation
import Synchronization

/// Long-lived worker threads behind `parallelChunks`. `DispatchQueue.concurrentPerform` woke a
/// sleeping libdispatch worker for every split, and on this 2-vCPU VM the wake-up took longer
/// than the UNet's short kernels: a 56 µs kernel split over two threads took 99 µs, a 221 µs one
/// 190 µs (`bench parallel`). Here a worker that has just run a chunk keeps polling for the next
/// job for `spinNanoseconds` (an inference or training pass issues one every few microseconds)
/// and only then sleeps on a condition variable.
///
/// One job runs at a time. A job is `chunks` calls body(i), claimed one at a time through a
/// single atomic word by the caller and by whichever workers are awake, so a late worker costs
/// nothing but its share: the caller runs whatever chunks are still unclaimed. A call made while
/// a job runs (from inside a chunk, or from another thread) gets `false` and runs inline.
final class WorkerPool: @unchecked Sendable {
    /// nil when our kernels run on one thread.
    static let shared: WorkerPool? = ParallelConfig.threadCount > 1
        ? WorkerPool(workers: ParallelConfig.threadCount - 1, spinNanoseconds: spinNanosecondsFromEnvironment()) : nil

    /// generation (high 32 bits) | chunk count (bits 16–31) | next unclaimed chunk (bits 0–15).
    /// A claim is a compare-and-swap on the whole word, so a worker still looking at an earlier
    /// generation can never claim a chunk of the current job.
    private let state = Atomic<UInt64>(0)
    /// Chunks of the current job that have returned.
    private let finished = Atomic<Int>(0)
    /// Whether a job is running (its caller owns `job`).
    private let busy = Atomic<Bool>(false)
    /// Workers asleep, or about to sleep, on `wake`.
    private let sleepers = Atomic<Int>(0)
    private let wake = NSCondition()
    /// The current job's body: written by the caller before it publishes the generation, read by
    /// a worker only after it has claimed one of the job's chunks, cleared once all have finished.
    private var job: ((Int) -> Void)? = nil
    private let spinNanoseconds: UInt64

    init(workers: Int, spinNanoseconds: UInt64) {
        self.spinNanoseconds = spinNanoseconds
        for _ in 0..<workers {
            // The pool is a static that lives as long as the process, so the threads may hold it.
            let thread = Thread { [self] in workerLoop() }
            thread.stackSize = 8 << 20
            thread.start()
        }
    }

    /// Runs body(0), …, body(chunks − 1) on the caller and the workers, returning when all have
    /// returned; false (nothing run) when another job is running.
    func run(chunks: Int, _ body: (Int) -> Void) -> Bool {
        precondition(chunks > 0 && chunks < 1 << 16, "WorkerPool: \(chunks) chunks")
        guard busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else { return false }
        withoutActuallyEscaping(body) { body in
            job = body
            finished.store(0, ordering: .relaxed)
            let generation = ((state.load(ordering: .relaxed) >> 32) &+ 1) & 0xFFFF_FFFF
            // Sequentially consistent, paired with the sleepers' increment-then-check: either a
            // worker about to sleep sees this generation, or we see it counted and wake it.
            state.store(generation << 32 | UInt64(chunks) << 16, ordering: .sequentiallyConsistent)
            if sleepers.load(ordering: .sequentiallyConsistent) > 0 { wake.lock(); wake.broadcast(); wake.unlock() }
            runChunks(generation: generation)
            var polls = 0
            while finished.load(ordering: .acquiring) < chunks {
                cspinwait_pause()
                polls += 1
                // A worker preempted mid-chunk (a loaded machine): give up the core meanwhile.
                if polls > 1 << 14 { sched_yield() }
            }
            job = nil
        }
        busy.store(false, ordering: .releasing)
        return true
    }

    /// Claims and runs chunks of `generation` until none is left or a newer job has started.
    private func runChunks(generation: UInt64) {
        while true {
            let word = state.load(ordering: .acquiring)
            guard word >> 32 == generation else { return }
            let count = (word >> 16) & 0xFFFF, next = word & 0xFFFF
            guard next < count else { return }
            if state.compareExchange(expected: word, desired: word + 1, ordering: .acquiringAndReleasing).exchanged {
                runChunk(Int(next))
                finished.add(1, ordering: .releasing)
            }
        }
    }

    /// Out of line so that this call's retain of `job` is released before `finished` counts the
    /// chunk (the caller's `withoutActuallyEscaping` checks that nothing kept the closure).
    @inline(never)
    private func runChunk(_ index: Int) {
        job!(index)
    }

    private func workerLoop() {
        var seen: UInt64 = 0
        while true {
            seen = nextGeneration(after: seen)
            runChunks(generation: seen)
        }
    }

    /// Polls for a generation other than `seen` for `spinNanoseconds`, then sleeps until one is published.
    private func nextGeneration(after seen: UInt64) -> UInt64 {
        let start = DispatchTime.now().uptimeNanoseconds
        var polls = 0
        while true {
            let generation = state.load(ordering: .acquiring) >> 32
            if generation != seen { return generation }
            cspinwait_pause()
            polls += 1
            if polls & 255 == 0 && DispatchTime.now().uptimeNanoseconds - start > spinNanoseconds {
                wake.lock()
                sleepers.add(1, ordering: .sequentiallyConsistent)
                while state.load(ordering: .sequentiallyConsistent) >> 32 == seen { wake.wait() }
                sleepers.subtract(1, ordering: .sequentiallyConsistent)
                wake.unlock()
            }
        }
    }

    /// `SGD_SPIN_US` (microseconds a worker polls for the next job before sleeping), else 200 µs.
    private static func spinNanosecondsFromEnvironment() -> UInt64 {
        let micros = ProcessInfo.processInfo.environment["SGD_SPIN_US"].flatMap { UInt64($0) } ?? 200
        return micros * 1000
    }
}
