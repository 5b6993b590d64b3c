import Testing
import Tensors
@testable import NN

@Suite struct ScheduleTests {
    @Test func warmupThenCosine() {
        let s = WarmupCosineSchedule(peak: 1e-3, minimum: 1e-5, warmupSteps: 10, totalSteps: 110)
        #expect(abs(s.learningRate(at: 0) - 1e-4) < 1e-9)
        #expect(abs(s.learningRate(at: 9) - 1e-3) < 1e-9)
        #expect(abs(s.learningRate(at: 60) - (1e-5 + (1e-3 - 1e-5) * 0.5)) < 1e-8)   // halfway: cos(π/2) = 0
        #expect(abs(s.learningRate(at: 110) - 1e-5) < 1e-9)
    }

    @Test func clippingScalesToTheMaximumNorm() {
        let a = Tensor(shape: [2], scalars: [3, 0], requiresGrad: true), b = Tensor(shape: [1], scalars: [4], requiresGrad: true)
        a.grad = Tensor(shape: [2], scalars: [3, 0]); b.grad = Tensor(shape: [1], scalars: [4])
        let norm = clipGradientNorm([a, b], maxNorm: 1)
        #expect(abs(norm - 5) < 1e-6)
        #expect(abs(a.grad!.scalars[0] - 0.6) < 1e-5 && abs(b.grad!.scalars[0] - 0.8) < 1e-5)
    }

    @Test func emaMovesTowardsParameters() {
        let p = Tensor(shape: [1], scalars: [0], requiresGrad: true)
        let ema = ExponentialMovingAverage(parameters: [p], decay: 0.9)
        p.withMutableData { $0[0] = 10 }
        ema.update()
        #expect(abs(ema.averages[0].scalars[0] - 1) < 1e-6)
    }
}
