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

/// A process-wide cache of freed float blocks, keyed by exact size, that gives memory back:
/// - a size not asked for during the last `idleTakes` allocations is freed (shapes changed:
///   sampling after training, clips of another length), checked every `sweepInterval` takes;
/// - the cache holds at most `capacityBytes`; past it, freed blocks go straight back to malloc;
/// - `trim()` frees everything cached at once.
public final class BufferPool: @unchecked Sendable {
    /// The pool every tensor uses.
    public static let shared = BufferPool()

    /// Blocks smaller than this are left to malloc, which handles them well.
    let minimumPooledCount = 4096
    /// Most bytes kept cached.
    public let capacityBytes: Int
    /// Allocations after which an unused size counts as dead. A training step takes a few
    /// thousand blocks, so this spans several steps: sizes in use every step always stay.
    public let idleTakes: Int
    let sweepInterval: Int

    private struct SizeClass {
        var blocks: [UnsafeMutablePointer<Float>] = []
        var lastUse = 0
    }
    private var free: [Int: SizeClass] = [:]
    private var cached = 0
    private var takes = 0
    private var nextSweep: Int
    private let lock = NSLock()

    /// A pool with its own limits. The default cap holds one training step of the default model
    /// (about 1.3 GB at its peak) so steady-state steps never fault in fresh pages.
    public init(capacityBytes: Int = 2 << 30, idleTakes: Int = 50_000, sweepInterval: Int = 4096) {
        require(capacityBytes >= 0 && idleTakes > 0 && sweepInterval > 0, "BufferPool: limits must be positive")
        self.capacityBytes = capacityBytes; self.idleTakes = idleTakes; self.sweepInterval = sweepInterval
        nextSweep = sweepInterval
    }

    deinit { trim() }

    /// Bytes held in the cache now.
    public var cachedBytes: Int { lock.lock(); defer { lock.unlock() }; return cached }

    func take(_ count: Int) -> UnsafeMutablePointer<Float> {
        let n = max(count, 1)
        if n >= minimumPooledCount {
            lock.lock()
            takes += 1
            if takes >= nextSweep { freeIdleBlocks() }
            if let p = free[n]?.blocks.popLast() {
                free[n]!.lastUse = takes
                cached -= n * 4
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
            if cached + n * 4 <= capacityBytes {
                free[n, default: SizeClass()].blocks.append(pointer)
                free[n]!.lastUse = takes
                cached += n * 4
                lock.unlock()
                return
            }
            lock.unlock()
        }
        pointer.deallocate()
    }

    /// Frees every cached block (after training, before sampling, or for memory measurements).
    public func trim() {
        lock.lock(); defer { lock.unlock() }
        for (_, size) in free { for p in size.blocks { p.deallocate() } }
        free.removeAll()
        cached = 0
    }

    /// Frees the sizes not used within `idleTakes`; the caller holds the lock.
    private func freeIdleBlocks() {
        nextSweep = takes + sweepInterval
        for (n, size) in free where takes - size.lastUse > idleTakes {
            for p in size.blocks { p.deallocate() }
            cached -= n * 4 * size.blocks.count
            free[n] = nil
        }
    }
}
