import ArgumentParser
import Foundation
import Media

/// Writes an MP4 and reads a PNG many times and prints resident memory, to show FFmpeg and libpng
/// objects are all freed (run it under valgrind with a few iterations for definite leaks).
struct MediaBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "media", abstract: "MP4 writer / PNG reader memory soak.")
    @Option(help: "Write/read rounds.") var iterations = 200

    func run() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("media-soak-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let start = Date()
        let (before, after) = try mediaSoak(iterations: iterations, folder: folder)
        print(String(format: "media soak: %d rounds (4-frame 32×32 H.264 MP4 + PNG read) in %.1f s; RSS %.1f MiB after warm-up, %.1f MiB at the end",
                     iterations, Date().timeIntervalSince(start), before, after))
    }
}
