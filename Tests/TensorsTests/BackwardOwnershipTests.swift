import Foundation
import Testing
@testable import Tensors

/// Each leaf owns its gradient, a graph is freed as it is swept, and a second backward through a
/// freed graph fails loudly.
@Suite struct BackwardOwnershipTests {
    @Test func addGivesEachInputItsOwnGradient() {
        let a = Tensor(shape: [3], scalars: [1, 2, 3], requiresGrad: true)
        let b = Tensor(shape: [3], scalars: [4, 5, 6], requiresGrad: true)
        (a + b).backward(Tensor.ones([3]))
        #expect(a.grad?.scalars == [1, 1, 1] && b.grad?.scalars == [1, 1, 1])
        #expect(a.grad?.storage !== b.grad?.storage)
        a.grad!.storage.pointer[0] = 100
        #expect(b.grad?.scalars == [1, 1, 1])
    }

    @Test func selfAddAccumulatesBothPaths() {
        let p = Tensor(shape: [2], scalars: [1, 2], requiresGrad: true)
        (p + p).sum().backward()
        #expect(p.grad?.scalars == [2, 2])
    }

    @Test func leafGradIsNotTheCallersSeed() {
        let p = Tensor(shape: [2], scalars: [1, 2], requiresGrad: true)
        let seed = Tensor(shape: [2], scalars: [3, 4])
        p.backward(seed)
        #expect(p.grad?.scalars == [3, 4])
        #expect(p.grad?.storage !== seed.storage)
    }

    /// An activation saved only by a later op is freed before the pullbacks of earlier ops run.
    @Test func activationsAreFreedDuringTheSweep() {
        final class Probe: @unchecked Sendable { weak var big: Tensor?; var aliveAtEarlyPullback: Bool? }
        let probe = Probe()
        let x = Tensor(shape: [4], scalars: [1, 2, 3, 4], requiresGrad: true)
        func build() -> Tensor {
            let y = scale(GradMode.disabled { x.copy() }, 1).recording([x]) { g in
                probe.aliveAtEarlyPullback = probe.big != nil
                return [g]
            }
            let big = y * 2
            probe.big = big
            return (big * big).sum()
        }
        let loss = build()
        #expect(probe.big != nil)
        loss.backward()
        #expect(probe.aliveAtEarlyPullback == false)
        #expect(x.grad?.scalars == [8, 16, 24, 32])
    }

    @Test func secondBackwardThroughAFreedGraphFails() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let w = Tensor(shape: [2], scalars: [1, 2], requiresGrad: true)
            let loss = (w * w).sum()
            loss.backward()
            loss.backward()
        }
        let stderr = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(stderr.contains("Trying to backward through the graph a second time"))
    }

    @Test func secondBackwardReachingAFreedNodeFails() async {
        await #expect(processExitsWith: .failure) {
            let w = Tensor(shape: [2], scalars: [1, 2], requiresGrad: true)
            let h = w * w
            h.sum().backward()
            (h * 3).sum().backward()
        }
    }
}
