import Foundation
import Media
import Testing
@testable import RunLogging

@Suite struct PlotScaleTests {
    func close(_ a: [Double], _ b: [Double]) -> Bool { a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= 1e-12 * max(1, abs($1)) } }

    @Test func linearTicksAreNiceMultiples() {
        let (ticks, step) = PlotScale.linearTicks(0, 1000, count: 5)
        #expect(step == 200 && ticks == [0, 200, 400, 600, 800, 1000])
        // Range 0.074 / 5 = 0.0148 → the next nice step up is 0.02.
        let small = PlotScale.linearTicks(0.013, 0.087, count: 5)
        #expect(close(small.ticks, [0.02, 0.04, 0.06, 0.08]))
        #expect(PlotScale.linearTicks(-1, 1, count: 4).ticks == [-1, -0.5, 0, 0.5, 1])
    }

    @Test func logTicks() {
        #expect(close(PlotScale.logTicks(0.001, 1), [0.001, 0.01, 0.1, 1]))
        #expect(close(PlotScale.logTicks(0.02, 1.5), [0.02, 0.05, 0.1, 0.2, 0.5, 1]))
    }

    @Test func labels() {
        #expect(PlotScale.stepLabel(2000) == "2k" && PlotScale.stepLabel(1500) == "1.5k")
        #expect(PlotScale.stepLabel(500) == "500" && PlotScale.stepLabel(2_500_000) == "2.5M")
        #expect(PlotScale.valueLabel(0.04, step: 0.02) == "0.04" && PlotScale.valueLabel(1.5, step: 0.5) == "1.5")
        #expect(PlotScale.valueLabel(200, step: 100) == "200" && PlotScale.valueLabel(0, step: 0.1) == "0")
        #expect(PlotScale.valueLabel(0.00002, step: 0.00001) == "2e-5")
        #expect(PlotScale.logLabel(0.01) == "0.01" && PlotScale.logLabel(1e-5) == "1e-5" && PlotScale.logLabel(2e6) == "2e6")
    }
}

@Suite struct LossCurvePlotTests {
    let blue = (UInt8(31), UInt8(119), UInt8(180))

    @Test func emaIsDebiasedLikeTensorBoard() {
        // s = 0.5: (0.5·1)/0.5 = 1, then (0.25 + 1.5)/0.75 = 7/3.
        let linear = LossCurvePlot.ema([1, 3], smoothing: 0.5, log: false)
        #expect(abs(linear[0] - 1) < 1e-12 && abs(linear[1] - 7.0 / 3) < 1e-12)
        // In logs: exp((0.5·ln 100)/0.75) = 100^(2/3).
        let logged = LossCurvePlot.ema([1, 100], smoothing: 0.5, log: true)
        #expect(abs(logged[0] - 1) < 1e-12 && abs(logged[1] - pow(100, 2.0 / 3)) < 1e-9)
    }

    @Test func constantSeriesIsAHorizontalLineAcrossTheMiddle() {
        let points = (1...50).map { (step: $0 * 10, value: 2.0) }
        let image = LossCurvePlot.render([("loss", points)], width: 640, height: 400)
        #expect(image.width == 640 && image.height == 400 && image.channels == 3)
        #expect(image[0, 0, 0] == 255 && image[639, 399, 2] == 255)
        // Plot area rows 14…366 without a title; a constant sits at the padded range's middle,
        // row 190, and the 2-pixel EMA line covers rows 189 and 190 fully.
        for x in [200, 320, 500] {
            for row in [189, 190] { #expect((image[x, row, 0], image[x, row, 1], image[x, row, 2]) == blue) }
            #expect(image[x, 187, 0] == 255 || image[x, 187, 0] == 232)
        }
    }

    @Test func nonFiniteAndNonPositiveValuesAreLeftOut() {
        let image = LossCurvePlot.render([("a", [(1, .nan), (2, -1), (3, 0.5), (4, .infinity), (5, 0.25)]), ("empty", [])], logScale: true)
        var bluePixels = 0
        for y in 0..<image.height { for x in 0..<image.width where (image[x, y, 0], image[x, y, 1], image[x, y, 2]) == blue { bluePixels += 1 } }
        #expect(bluePixels > 20)
        #expect(LossCurvePlot.render([]).width == 640)
    }
}
