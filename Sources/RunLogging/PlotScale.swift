import Foundation

/// Axis arithmetic for `LossCurvePlot`: "nice" tick positions (1, 2, 5 × 10ᵏ) and their labels.
enum PlotScale {
    /// Ticks at a multiple of a nice step inside [lo, hi], about `count` of them.
    static func linearTicks(_ lo: Double, _ hi: Double, count: Int = 5) -> (ticks: [Double], step: Double) {
        guard hi > lo, count > 0 else { return ([lo], 1) }
        let raw = (hi - lo) / Double(count)
        let magnitude = pow(10, (log10(raw)).rounded(.down))
        let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= raw * 0.999 } ?? 10 * magnitude
        var ticks: [Double] = []
        var k = (lo / step).rounded(.up)
        while k * step <= hi + step * 1e-9 {
            ticks.append(abs(k * step) < step * 1e-9 ? 0 : k * step)
            k += 1
        }
        return (ticks, step)
    }

    /// Ticks for a log axis over [lo, hi] (both > 0): powers of ten, with 2× and 5× between them
    /// when the range spans fewer than three decades.
    static func logTicks(_ lo: Double, _ hi: Double) -> [Double] {
        let first = Int(log10(lo).rounded(.down)), last = Int(log10(hi).rounded(.up))
        let multiples: [Double] = log10(hi / lo) < 3 ? [1, 2, 5] : [1]
        var ticks: [Double] = []
        for e in first...last {
            for m in multiples {
                let v = m * pow(10, Double(e))
                if v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9) { ticks.append(v) }
            }
        }
        return ticks
    }

    /// A step count as a short label: 500, 2k, 1.5k, 12k, 1.2M.
    static func stepLabel(_ step: Double) -> String {
        let v = step.rounded()
        if abs(v) >= 1_000_000 { return trimmed(v / 1_000_000) + "M" }
        if abs(v) >= 1000 { return trimmed(v / 1000) + "k" }
        return String(Int(v))
    }

    /// A value label with as many decimals as the tick spacing needs; exponents outside [1e-4, 1e5).
    static func valueLabel(_ value: Double, step: Double) -> String {
        if value == 0 { return "0" }
        if abs(value) >= 1e5 || abs(value) < 1e-4 { return exponential(value) }
        let decimals = max(0, Int((-log10(step)).rounded(.up)))
        return String(format: "%.\(min(decimals, 6))f", value)
    }

    /// A log-axis label: plain for 0.001…10000, else like 1e-5 or 2e+06 → "2e6".
    static func logLabel(_ value: Double) -> String {
        if value >= 1e-3 && value < 1e4 { return trimmed(value) }
        return exponential(value)
    }

    private static func exponential(_ value: Double) -> String {
        let e = Int(log10(abs(value)).rounded(.down))
        let mantissa = value / pow(10, Double(e))
        return (abs(mantissa - 1) < 1e-9 ? "1" : trimmed((mantissa * 10).rounded() / 10)) + "e\(e)"
    }

    private static func trimmed(_ v: Double) -> String {
        var s = String(format: "%.3f", v)
        while s.hasSuffix("0") { s.removeLast() }
        if s.hasSuffix(".") { s.removeLast() }
        return s
    }
}
