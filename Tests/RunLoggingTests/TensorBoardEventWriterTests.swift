import Foundation
import Testing
@testable import RunLogging

@Suite struct TensorBoardEventWriterTests {
    @Test func fileStartsWithVersionThenEvents() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let writer = try TensorBoardEventWriter(folder: folder, hostname: "box", clock: { 1.5 })
        #expect(writer.url.lastPathComponent == "events.out.tfevents.1.box")
        try writer.addScalars(step: 7, [("a", 0.5)])
        // Readable before close: every call reaches the file.
        let records = try readRecords(Array(try Data(contentsOf: writer.url)))
        #expect(records == [TensorBoardEvent.fileVersion(wallTime: 1.5), TensorBoardEvent.sessionStart(wallTime: 1.5, step: 0),
                            TensorBoardEvent.scalars(wallTime: 1.5, step: 7, [("a", 0.5)])])
        writer.close()
        #expect(throws: RunLogError.self) { try writer.addScalars(step: 8, [("a", 1)]) }
    }

    @Test func resumeStartsANewFileWithSessionStart() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let first = try TensorBoardEventWriter(folder: folder, hostname: "box", clock: { 1.5 })
        try first.addScalars(step: 10, [("a", 1)])
        try first.addScalars(step: 20, [("a", 2)])
        first.close()
        // A kill mid-write leaves a torn record.
        let handle = try FileHandle(forWritingTo: first.url)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(TFRecord.frame(TensorBoardEvent.scalars(wallTime: 1.5, step: 21, [("a", 3)])).prefix(20)))
        try handle.close()

        // Same second: the new file must not be the killed run's file.
        let resumed = try TensorBoardEventWriter(folder: folder, resumingAt: 10, hostname: "box", clock: { 1.5 })
        #expect(resumed.url.lastPathComponent == "events.out.tfevents.1.box.1")
        let records = try readRecords(Array(try Data(contentsOf: resumed.url)))
        // TensorBoard keeps steps below the START event's step: ≤ 10 survive.
        #expect(records == [TensorBoardEvent.fileVersion(wallTime: 1.5), TensorBoardEvent.sessionStart(wallTime: 1.5, step: 11)])
        // The killed run's file keeps its events up to step 10, and loses the torn tail.
        let old = try readRecords(Array(try Data(contentsOf: first.url)))
        #expect(old == [TensorBoardEvent.fileVersion(wallTime: 1.5), TensorBoardEvent.sessionStart(wallTime: 1.5, step: 0),
                        TensorBoardEvent.scalars(wallTime: 1.5, step: 10, [("a", 1)])])
    }

    @Test func stepOfAnEvent() {
        #expect(TensorBoardEvent.step(of: TensorBoardEvent.scalars(wallTime: 1.5, step: 300, [("a", 1)])) == 300)
        #expect(TensorBoardEvent.step(of: TensorBoardEvent.fileVersion(wallTime: 1.5)) == 0)
        #expect(TensorBoardEvent.step(of: TensorBoardEvent.image(wallTime: 2, step: 7, tag: "s", width: 1, height: 1, colorspace: 3, encoded: [1])) == 7)
        // Field 3 claims 13 bytes but only 2 follow.
        #expect(TensorBoardEvent.step(of: [0x1A, 13, 0x61, 0x62]) == nil)
    }

    @Test func libraryReaderStopsAtATornTail() {
        let good = TFRecord.frame([1, 2, 3]) + TFRecord.frame([4])
        #expect(TFRecord.records(in: good) == [[1, 2, 3], [4]])
        #expect(TFRecord.records(in: good + TFRecord.frame([5, 6]).dropLast()) == [[1, 2, 3], [4]])
        var corrupt = good
        corrupt[13] ^= 0xFF
        #expect(TFRecord.records(in: corrupt).isEmpty)
    }

    @Test func imageSummaryTakesSizeFromThePNG() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let writer = try TensorBoardEventWriter(folder: folder, hostname: "box", clock: { 1.5 })
        let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13] + Array("IHDR".utf8)
            + [0, 0, 0, 2, 0, 0, 0, 1, 8, 2, 0, 0, 0, 0, 0, 0, 0]
        try writer.addImage(step: 5, tag: "s", png: png)
        #expect(throws: RunLogError.self) { try writer.addImage(step: 6, tag: "s", png: [1, 2, 3]) }
        let records = try readRecords(Array(try Data(contentsOf: writer.url)))
        #expect(records.last == TensorBoardEvent.image(wallTime: 1.5, step: 5, tag: "s", width: 2, height: 1, colorspace: 3, encoded: png))
    }
}
