import Foundation
import Media

/// The loss-curve picture of a run (`loss.png`): one or more series against the step, with axes,
/// ticks, a legend, and for noisy series a TensorBoard-style EMA line over the faint raw points.
public enum LossCurvePlot {
    /// Distinct colours for series, in order (Tableau 10).
    public static let palette: [PixelColor] = [
        PixelColor(31, 119, 180), PixelColor(255, 127, 14), PixelColor(44, 160, 44), PixelColor(214, 39, 40),
        PixelColor(148, 103, 189), PixelColor(140, 86, 75), PixelColor(227, 119, 194), PixelColor(127, 127, 127),
        PixelColor(188, 189, 34), PixelColor(23, 190, 207),
    ]
    /// Series with fewer points than this (evaluations) are drawn as plain lines with dots, unsmoothed.
    static let smoothFrom = 30
    static let ink = PixelColor(60, 60, 60), gridInk = PixelColor(232, 232, 232), axisInk = PixelColor(120, 120, 120)

    /// An RGB picture of `series` (NaN, ±∞, and on a log axis values ≤ 0, are left out).
    /// `smoothing` is the EMA weight of the smoothed line (0 draws the raw line only).
    public static func render(_ series: [(name: String, points: [(step: Int, value: Double)])],
                              width: Int = 640, height: Int = 400, title: String = "",
                              logScale: Bool = false, smoothing: Double = 0.9) -> ByteImage {
        var image = ByteImage(width: max(width, 160), height: max(height, 120), color: .white)
        let kept = series.map { s in
            (name: s.name, points: s.points.filter { $0.value.isFinite && (!logScale || $0.value > 0) })
        }
        let frame = PlotFrame(kept.flatMap(\.points), width: image.width, height: image.height,
                              hasTitle: !title.isEmpty, logScale: logScale)
        if !title.isEmpty {
            image.drawText(title, x: (image.width - BitmapFont.width(of: title, scale: 2)) / 2, y: 8, color: ink, scale: 2)
        }
        frame.drawAxes(on: &image)
        for (i, s) in kept.enumerated() where !s.points.isEmpty {
            let color = palette[i % palette.count]
            let points = s.points.map { (x: frame.x(Double($0.step)), y: frame.y($0.value)) }
            if s.points.count >= smoothFrom && smoothing > 0 {
                polyline(points, on: &image, color: color.mixed(with: .white, 0.7), thickness: 1)
                let smooth = ema(s.points.map(\.value), smoothing: smoothing, log: logScale)
                polyline(zip(s.points, smooth).map { (x: frame.x(Double($0.step)), y: frame.y($1)) }, on: &image, color: color, thickness: 2)
            } else {
                polyline(points, on: &image, color: color, thickness: 1.5)
                for p in points { image.drawLine(from: p, to: p, color: color, thickness: 4) }
            }
        }
        drawLegend(kept.map(\.name), frame: frame, on: &image)
        return image
    }

    /// TensorBoard's smoothing: an EMA debiased for its zero start (so the first value is kept);
    /// on a log axis it averages logarithms, so one spike does not lift the line for decades.
    static func ema(_ values: [Double], smoothing: Double, log: Bool) -> [Double] {
        var average = 0.0, weight = 0.0
        return values.map { v in
            let x = log ? Foundation.log(v) : v
            average = smoothing * average + (1 - smoothing) * x
            weight = smoothing * weight + (1 - smoothing)
            return log ? exp(average / weight) : average / weight
        }
    }

    private static func polyline(_ points: [(x: Double, y: Double)], on image: inout ByteImage, color: PixelColor, thickness: Double) {
        if points.count == 1 { image.drawLine(from: points[0], to: points[0], color: color, thickness: thickness); return }
        for (a, b) in zip(points, points.dropFirst()) { image.drawLine(from: a, to: b, color: color, thickness: thickness) }
    }

    private static func drawLegend(_ names: [String], frame: PlotFrame, on image: inout ByteImage) {
        guard !names.isEmpty else { return }
        let line = BitmapFont.lineHeight + 2, sample = 16
        let w = 6 + sample + 6 + (names.map { BitmapFont.width(of: $0) }.max() ?? 0) + 6
        let h = 4 + names.count * line + 2
        let x0 = frame.right - w - 6, y0 = frame.top + 6
        image.fillRect(x: x0, y: y0, width: w, height: h, color: .white)
        image.fillRect(x: x0, y: y0, width: w, height: 1, color: gridInk.mixed(with: .black, 0.15))
        image.fillRect(x: x0, y: y0 + h - 1, width: w, height: 1, color: gridInk.mixed(with: .black, 0.15))
        image.fillRect(x: x0, y: y0, width: 1, height: h, color: gridInk.mixed(with: .black, 0.15))
        image.fillRect(x: x0 + w - 1, y: y0, width: 1, height: h, color: gridInk.mixed(with: .black, 0.15))
        for (i, name) in names.enumerated() {
            let y = y0 + 4 + i * line
            let mid = Double(y) + 3.5
            image.drawLine(from: (Double(x0 + 6), mid), to: (Double(x0 + 6 + sample), mid), color: palette[i % palette.count], thickness: 2)
            image.drawText(name, x: x0 + 6 + sample + 6, y: y, color: ink)
        }
    }
}
