import Foundation

/// A one-line progress bar with rate, ETA and an optional status (e.g. "loss 0.123") on stderr;
/// when stderr is not a terminal (logs, CI) it prints a plain line every ~10% instead of redrawing.
public final class ProgressBar {
    public let total: Int, label: String
    private let start = Date()
    private let interactive: Bool
    private let write: (String) -> Void
    private var lastDraw = Date.distantPast
    private var lastDecile = -1
    /// Items already done when the bar started (a resumed run): the rate counts only new ones.
    private let initial: Int
    private var drawnOpen = false

    /// A bar on stderr, redrawn in place when stderr is a terminal.
    public convenience init(_ label: String, total: Int, startingAt initial: Int = 0) {
        self.init(label, total: total, startingAt: initial, interactive: isatty(FileHandle.standardError.fileDescriptor) != 0) {
            FileHandle.standardError.write(Data($0.utf8))
        }
    }

    /// A bar that hands its text to `write` (for tests and other sinks).
    public init(_ label: String, total: Int, startingAt initial: Int = 0, interactive: Bool, write: @escaping (String) -> Void) {
        self.label = label; self.total = max(total, 1); self.initial = initial; self.interactive = interactive; self.write = write
        // A resumed run reports from its next tenth on; a fresh one also prints its 0 line.
        lastDecile = initial == 0 ? -1 : 10 * initial / self.total
    }

    /// Ends the bar's line early (a run stopped before its total), so later messages start clean.
    public func finish() {
        if interactive && drawnOpen { write("\n"); drawnOpen = false }
    }

    /// Reports `done` of `total` items, with `status` shown after the counts.
    public func update(_ done: Int, status: String? = nil) {
        let elapsed = Date().timeIntervalSince(start)
        let rate = Double(done - initial) / max(elapsed, 1e-9)
        let eta = rate > 0 ? Double(total - done) / rate : 0
        let suffix = status.map { "  " + $0 } ?? ""
        if interactive {
            guard done >= total || Date().timeIntervalSince(lastDraw) > 0.1 else { return }
            lastDraw = Date()
            let width = 30, filled = width * min(max(done, 0), total) / total
            let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
            write(String(format: "\r%@ %@ %d/%d%@  %@/s  ETA %@ ", label, bar, done, total, suffix, Self.rate(rate), Self.clock(eta)))
            drawnOpen = done < total
            if done >= total { write("\n") }
        } else {
            let decile = 10 * done / total
            guard decile != lastDecile else { return }
            lastDecile = decile
            write(String(format: "%@: %d/%d%@ (%@/s, ETA %@)\n", label, done, total, suffix, Self.rate(rate), Self.clock(eta)))
        }
    }

    /// Items per second with enough digits for slow work (training steps take seconds each).
    static func rate(_ r: Double) -> String { r >= 10 ? String(format: "%.0f", r) : String(format: "%.2f", r) }

    /// m:ss below an hour, h:mm:ss above.
    static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }
}
