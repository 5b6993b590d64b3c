import Foundation
import Testing
@testable import RunLogging

@Suite struct MetricsLogTests {
    @Test func linesKeepNameOrderAndWriteNonFiniteAsNull() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let log = try MetricsLog(folder: folder, resumingAt: nil, clock: { 1700000000.25 })
        try log.log(step: 3, [("train/loss", 0.5), ("lr", 1e-05), ("eval/x", .nan), ("y", -.infinity)])
        try log.log(step: 4, [("a\"b", 2)])
        let text = try String(contentsOf: log.metricsURL, encoding: .utf8)
        #expect(text == """
            {"step": 3, "time": 1700000000.250, "train/loss": 0.5, "lr": 1e-05, "eval/x": null, "y": null}
            {"step": 4, "time": 1700000000.250, "a\\"b": 2.0}

            """)
        // Every line is JSON a standard parser reads.
        for line in text.split(separator: "\n") { _ = try JSONSerialization.jsonObject(with: Data(line.utf8)) }
        let records = try readRecords(Array(try Data(contentsOf: log.eventsURL)))
        #expect(records.count == 4)
        #expect(records[2] == TensorBoardEvent.scalars(wallTime: 1700000000.25, step: 3,
                                                       [("train/loss", 0.5), ("lr", 1e-05), ("eval/x", .nan), ("y", -.infinity)]))
        log.close()
    }

    @Test func resumeKeepsLinesUpToTheCheckpointStep() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let first = try MetricsLog(folder: folder, resumingAt: nil, clock: { 1 })
        for step in 1...5 { try first.log(step: step, [("loss", Double(step))]) }
        first.close()
        // A kill mid-line leaves a torn tail.
        let handle = try FileHandle(forWritingTo: first.metricsURL)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("{\"step\": 6, \"ti".utf8))
        try handle.close()

        let resumed = try MetricsLog(folder: folder, resumingAt: 3, clock: { 2 })
        try resumed.log(step: 4, [("loss", 40)])
        resumed.close()
        let series = try MetricsHistory.series(in: resumed.metricsURL, names: ["loss"])
        #expect(series[0].points.map(\.step) == [1, 2, 3, 4])
        #expect(series[0].points.map(\.value) == [1, 2, 3, 40])
        let eventFiles = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasPrefix("events.out.tfevents.") }
        #expect(eventFiles.count == 2)
        let records = try readRecords(Array(try Data(contentsOf: resumed.eventsURL)))
        #expect(records[1] == TensorBoardEvent.sessionStart(wallTime: 2, step: 4))
    }

    @Test func freshRunStartsEmpty() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data("{\"step\": 1}\n".utf8).write(to: folder.appendingPathComponent("metrics.jsonl"))
        let log = try MetricsLog(folder: folder, resumingAt: nil)
        log.close()
        #expect(try Data(contentsOf: log.metricsURL).isEmpty)
    }

    @Test func missingFolderFailsWithItsPath() {
        #expect(throws: (any Error).self) { try MetricsLog(folder: URL(fileURLWithPath: "/nonexistent/run"), resumingAt: nil) }
    }
}

@Suite struct MetricsLogResumeSafetyTests {
    @Test func unreadableOldMetricsStopTheResume() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        // A folder where the file should be cannot be read as a file.
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("metrics.jsonl"), withIntermediateDirectories: false)
        #expect(throws: (any Error).self) { try MetricsLog(folder: folder, resumingAt: 3) }
    }
}
