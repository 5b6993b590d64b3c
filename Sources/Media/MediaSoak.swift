import Foundation

/// Runs the MP4 writer and the PNG reader `iterations` times on small frames and returns resident
/// memory (MiB) before and after, to show that no FFmpeg or libpng object leaks.
public func mediaSoak(iterations: Int, folder: URL) throws -> (before: Double, after: Double) {
    var frame = try ByteImage(width: 32, height: 32, channels: 3, fill: 32)
    for y in 8..<20 { for x in 10..<22 { frame[x, y, 0] = 230; frame[x, y, 1] = 40; frame[x, y, 2] = 40 } }
    let png = folder.appendingPathComponent("soak.png"), mp4 = folder.appendingPathComponent("soak.mp4")
    try PNGCodec.write(frame, to: png)
    func rss() -> Double {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        return (Double(line.split(separator: " ").dropFirst().first ?? "0") ?? 0) / 1024
    }
    // One warm-up round loads codecs and allocator pools before the baseline is taken.
    var baseline: Double? = nil
    for round in 0...iterations {
        if round == 1 { baseline = rss() }
        let writer = try VideoWriter(url: mp4, width: 32, height: 32, settings: VideoSettings(framesPerSecond: 8))
        for _ in 0..<4 { try writer.append(frame) }
        try writer.finish()
        _ = try PNGCodec.read(png)
    }
    let after = rss()
    return (before: baseline ?? after, after: after)
}
