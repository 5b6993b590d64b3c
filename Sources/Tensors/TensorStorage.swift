import Foundation

/// Float32 memory for one tensor. Freed blocks go back to `BufferPool`, so a training step that
/// allocates the same shapes every iteration reuses memory instead of faulting fresh pages in.
public final class TensorStorage: @unchecked Sendable {
    public let pointer: UnsafeMutablePointer<Float>
    public let count: Int

    /// Uninitialised memory for `count` floats (callers overwrite every element).
    init(uninitializedCount count: Int) {
        self.count = count
        self.pointer = BufferPool.shared.take(count)
    }

    deinit { BufferPool.shared.give(pointer, count: count) }
}

/// A process-wide cache of freed float blocks, keyed by exact size. Bounded, so a run that
/// changes shapes does not hoard memory.
final class BufferPool: @unchecked Sendable {
    static let shared = BufferPool()
    /// Blocks smaller than this are left to malloc, which handles them well.
    private let minimumPooledCount = 4096
    private let maximumCachedBytes = 3 << 30
    private var free: [Int: [UnsafeMutablePointer<Float>]] = [:]
    private var cachedBytes = 0
    private let lock = NSLock()

    func take(_ count: Int) -> UnsafeMutablePointer<Float> {
        let n = max(count, 1)
        if n >= minimumPooledCount {
            lock.lock()
            if let p = free[n]?.popLast() {
                cachedBytes -= n * 4
                lock.unlock()
                return p
            }
            lock.unlock()
        }
        return UnsafeMutablePointer<Float>.allocate(capacity: n)
    }

    func give(_ pointer: UnsafeMutablePointer<Float>, count: Int) {
        let n = max(count, 1)
        if n >= minimumPooledCount {
            lock.lock()
            if cachedBytes + n * 4 <= maximumCachedBytes {
                free[n, default: []].append(pointer)
                cachedBytes += n * 4
                lock.unlock()
                return
            }
            lock.unlock()
        }
        pointer.deallocate()
    }

    /// Frees every cached block (for memory measurements and long-lived processes).
    func drain() {
        lock.lock(); defer { lock.unlock() }
        for (_, list) in free { for p in list { p.deallocate() } }
        free.removeAll(); cachedBytes = 0
    }
}
