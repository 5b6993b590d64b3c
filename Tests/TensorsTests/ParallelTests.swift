import Dispatch
import Synchronization
import Testing
@testable import Tensors

/// `parallelChunks` on the worker pool: every index runs exactly once in the chunks the thread
/// count defines, also when splits nest or several threads split at once (those run inline).
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

    @Test(arguments: [0, 1, 2, 3, 7, 64, 1000])
    func everyIndexRunsOnceInTheFixedChunks(n: Int) {
        let (visits, ranges) = split(n)
        #expect(visits.allSatisfy { $0 == 1 })
        let threads = min(ParallelConfig.threadCount, max(1, n))
        let expected = n == 0 ? [] : (0..<threads).map { n * $0 / threads..<n * ($0 + 1) / threads }.filter { !$0.isEmpty }
        // Tests run concurrently: while another test's split holds the pool this one runs
        // inline as one chunk, by design.
        let sorted = ranges.sorted { $0.lowerBound < $1.lowerBound }
        #expect(sorted == expected || (n > 0 && sorted == [0..<n]))
    }

    @Test func smallJobsStayOnOneChunk() {
        let (visits, ranges) = split(100, minimumPerThread: 1000)
        #expect(visits.allSatisfy { $0 == 1 } && ranges == [0..<100])
    }

    @Test func nestedSplitsCoverTheirRanges() {
        let (visits, _) = split(40) { range in
            let (innerVisits, _) = split(range.count * 3)
            #expect(innerVisits.allSatisfy { $0 == 1 })
        }
        #expect(visits.allSatisfy { $0 == 1 })
    }

    @Test func concurrentCallersEachSeeTheirWholeJob() {
        let failed = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: 6) { caller in
            for round in 0..<300 {
                let (visits, _) = split(1 + (caller * 37 + round * 11) % 500)
                if !visits.allSatisfy({ $0 == 1 }) { failed.add(1, ordering: .relaxed) }
            }
        }
        #expect(failed.load(ordering: .relaxed) == 0)
    }
}
