import Foundation
import Media

/// Where the plot area of a `LossCurvePlot` sits and how steps and values map into it.
struct PlotFrame {
    let left: Int, right: Int, top: Int, bottom: Int
    let xRange: ClosedRange<Double>, yRange: ClosedRange<Double>
    let xTicks: [Double], yTicks: [Double], yLabels: [String]
    let logScale: Bool

    init(_ points: [(step: Int, value: Double)], width: Int, height: Int, hasTitle: Bool, logScale: Bool) {
        self.logScale = logScale
        let steps = points.map { Double($0.step) }
        var x0 = steps.min() ?? 0, x1 = steps.max() ?? 1
        if x1 <= x0 { x0 -= 1; x1 += 1 }
        // Runs log from step 1 (or a first interval): an axis from 0 reads better.
        if x0 > 0 && x0 <= (x1 - x0) * 0.1 { x0 = 0 }
        xRange = x0...x1
        xTicks = PlotScale.linearTicks(x0, x1, count: 6).ticks
        let values = points.map { logScale ? log10($0.value) : $0.value }
        var y0 = values.min() ?? 0, y1 = values.max() ?? 1
        if y1 <= y0 { let pad = logScale ? 0.5 : max(abs(y0) * 0.1, 1e-3); y0 -= pad; y1 += pad }
        // A margin so the extreme points do not sit on the frame.
        let pad = (y1 - y0) * 0.05
        y0 -= pad; y1 += pad
        yRange = y0...y1
        if logScale {
            var ticks = PlotScale.logTicks(pow(10, y0), pow(10, y1))
            if ticks.count < 2 { ticks = PlotScale.linearTicks(pow(10, y0), pow(10, y1), count: 4).ticks }
            yTicks = ticks.map(log10)
            yLabels = ticks.map { PlotScale.logLabel($0) }
        } else {
            let (ticks, step) = PlotScale.linearTicks(y0, y1, count: 5)
            yTicks = ticks
            yLabels = ticks.map { PlotScale.valueLabel($0, step: step) }
        }
        left = 12 + (yLabels.map { BitmapFont.width(of: $0) }.max() ?? 0) + 8
        right = width - 16
        top = hasTitle ? 34 : 14
        bottom = height - 34
    }

    /// Pixel column of a step.
    func x(_ step: Double) -> Double {
        Double(left) + (step - xRange.lowerBound) / (xRange.upperBound - xRange.lowerBound) * Double(right - left)
    }

    /// Pixel row of a value (log10 of it on a log axis).
    func y(_ value: Double) -> Double {
        let v = logScale ? log10(value) : value
        return Double(bottom) - (v - yRange.lowerBound) / (yRange.upperBound - yRange.lowerBound) * Double(bottom - top)
    }

    func drawAxes(on image: inout ByteImage) {
        let ink = LossCurvePlot.ink, grid = LossCurvePlot.gridInk, axis = LossCurvePlot.axisInk
        let glyphMiddle = 3   // rows 0–6 are the body of a glyph
        for (tick, label) in zip(yTicks, yLabels) {
            let row = Int((Double(bottom) - (tick - yRange.lowerBound) / (yRange.upperBound - yRange.lowerBound) * Double(bottom - top)).rounded(.down))
            image.fillRect(x: left, y: row, width: right - left, height: 1, color: grid)
            image.fillRect(x: left - 4, y: row, width: 4, height: 1, color: axis)
            image.drawText(label, x: left - 7 - BitmapFont.width(of: label), y: row - glyphMiddle, color: ink)
        }
        for tick in xTicks {
            let column = Int(x(tick).rounded(.down))
            image.fillRect(x: column, y: top, width: 1, height: bottom - top, color: grid)
            image.fillRect(x: column, y: bottom, width: 1, height: 4, color: axis)
            let label = PlotScale.stepLabel(tick)
            image.drawText(label, x: column - BitmapFont.width(of: label) / 2, y: bottom + 7, color: ink)
        }
        image.fillRect(x: left, y: bottom, width: right - left + 1, height: 1, color: axis)
        image.fillRect(x: left, y: top, width: 1, height: bottom - top + 1, color: axis)
        image.drawText("step", x: (left + right - BitmapFont.width(of: "step")) / 2, y: bottom + 20, color: ink)
    }
}
