import Dispatch
import Synchronization
import Testing
@testable import Tensors

/// `parallelChunks` on the worker pool: every index runs exactly once in the chunks the thread
/// count defines, also when splits nest or several threads split at once (those run their chunks
/// inline): kernels that reduce per chunk give the same bits under load as on a quiet machine.
@Suite struct ParallelTests {
    /// Runs a split of n and returns how often each index ran and the ranges the body received.
    private func split(_ n: Int, minimumPerThread: Int = 1, inner: ((Range<Int>) -> Void)? = nil) -> ([Int], [Range<Int>]) {
        var visits = [Int](repeating: 0, count: n)
        var ranges: [Range<Int>] = []
        let lock = DispatchSemaphore(value: 1)
        visits.withUnsafeMutableBufferPointer { v in
            let p = v.baseAddress
            parallelChunks(n, minimumPerThread: minimumPerThread) { range in
                for i in range { p![i] += 1 }   // chunks are disjoint
                inner?(range)
                lock.wait(); ranges.append(range); lock.signal()
            }
        }
        return (visits, ranges)
    }

    /// The chunks a split of n must use, whoever runs them.
    private func fixedChunks(_ n: Int) -> [Range<Int>] {
        let threads = min(ParallelConfig.threadCount, max(1, n))
        return n == 0 ? [] : (0..<threads).map { n * $0 / threads..<n * ($0 + 1) / threads }.filter { !$0.isEmpty }
    }

    @Test(arguments: [0, 1, 2, 3, 7, 64, 1000])
    func everyIndexRunsOnceInTheFixedChunks(n: Int) {
        let (visits, ranges) = split(n)
        #expect(visits.allSatisfy { $0 == 1 })
        #expect(ranges.sorted { $0.lowerBound < $1.lowerBound } == fixedChunks(n))
    }

    @Test func smallJobsStayOnOneChunk() {
        let (visits, ranges) = split(100, minimumPerThread: 1000)
        #expect(visits.allSatisfy { $0 == 1 } && ranges == [0..<100])
    }

    @Test func nestedSplitsCoverTheirRanges() {
        let (visits, _) = split(40) { range in
            let (innerVisits, innerRanges) = split(range.count * 3)
            #expect(innerVisits.allSatisfy { $0 == 1 })
            // The pool is taken by the outer split: the inner one runs inline, at the same cuts.
            #expect(innerRanges == fixedChunks(range.count * 3))
        }
        #expect(visits.allSatisfy { $0 == 1 })
    }

    @Test func concurrentCallersEachSeeTheirWholeJob() {
        let failed = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: 6) { caller in
            for round in 0..<300 {
                let n = 1 + (caller * 37 + round * 11) % 500
                let (visits, ranges) = split(n)
                if !visits.allSatisfy({ $0 == 1 }) || ranges.sorted(by: { $0.lowerBound < $1.lowerBound }) != fixedChunks(n) {
                    failed.add(1, ordering: .relaxed)
                }
            }
        }
        #expect(failed.load(ordering: .relaxed) == 0)
    }
}
