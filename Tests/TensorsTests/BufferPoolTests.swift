import Testing
@testable import Tensors

@Suite struct BufferPoolTests {
    let block = 8192   // floats, above the pooling threshold

    @Test func reusesAFreedBlockOfTheSameSize() {
        let pool = BufferPool()
        let p = pool.take(block)
        pool.give(p, count: block)
        #expect(pool.cachedBytes == block * 4)
        #expect(pool.take(block) == p)
        #expect(pool.cachedBytes == 0)
    }

    @Test func trimGivesEverythingBack() {
        let pool = BufferPool()
        let blocks = (0..<3).map { pool.take(block + $0) }
        for (i, p) in blocks.enumerated() { pool.give(p, count: block + i) }
        #expect(pool.cachedBytes == (3 * block + 3) * 4)
        pool.trim()
        #expect(pool.cachedBytes == 0)
    }

    @Test func sizesNoLongerAskedForAreFreed() {
        let pool = BufferPool(idleTakes: 10, sweepInterval: 5)
        let old = pool.take(2 * block)
        pool.give(old, count: 2 * block)
        // The workload changes shape: only `block`-sized tensors from now on.
        for _ in 0..<9 { pool.give(pool.take(block), count: block) }
        #expect(pool.cachedBytes == (2 * block + block) * 4, "not idle for long enough yet")
        for _ in 0..<10 { pool.give(pool.take(block), count: block) }
        #expect(pool.cachedBytes == block * 4, "the idle size is freed, the one in use stays")
    }

    @Test func capacityIsNeverExceeded() {
        let pool = BufferPool(capacityBytes: 3 * 8192 * 4)
        let blocks = (0..<5).map { _ in pool.take(block) }
        for p in blocks { pool.give(p, count: block) }
        #expect(pool.cachedBytes == 3 * block * 4)
    }

    @Test func smallBlocksAreLeftToMalloc() {
        let pool = BufferPool()
        pool.give(pool.take(16), count: 16)
        #expect(pool.cachedBytes == 0)
    }
}
