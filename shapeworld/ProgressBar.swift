import Foundation

/// A one-line progress bar with rate and ETA on stderr; when stderr is not a terminal (logs, CI)
/// it prints a plain line every ~10% instead of redrawing.
final class ProgressBar {
    let total: Int, label: String
    private let start = Date()
    private let interactive = isatty(FileHandle.standardError.fileDescriptor) != 0
    private var lastDraw = Date.distantPast
    private var lastDecile = -1

    init(_ label: String, total: Int) { self.label = label; self.total = max(total, 1) }

    func update(_ done: Int) {
        let elapsed = Date().timeIntervalSince(start)
        let rate = Double(done) / max(elapsed, 1e-9)
        let eta = rate > 0 ? Double(total - done) / rate : 0
        if interactive {
            guard done == total || Date().timeIntervalSince(lastDraw) > 0.1 else { return }
            lastDraw = Date()
            let width = 30, filled = width * done / total
            let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
            FileHandle.standardError.write(Data(String(format: "\r%@ %@ %d/%d  %.0f/s  ETA %@ ", label, bar, done, total, rate, format(eta)).utf8))
            if done == total { FileHandle.standardError.write(Data("\n".utf8)) }
        } else {
            let decile = 10 * done / total
            guard decile != lastDecile else { return }
            lastDecile = decile
            FileHandle.standardError.write(Data(String(format: "%@: %d/%d (%.0f/s, ETA %@)\n", label, done, total, rate, format(eta)).utf8))
        }
    }

    private func format(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }
}
