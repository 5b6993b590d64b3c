import Foundation
import Testing
@testable import Output

/// A fresh empty folder under the temporary directory.
func scratchFolder(_ name: String = #function) throws -> URL {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("output-tests-\(getpid())-\(name.filter(\.isLetter))-\(UInt32.random(in: 0...UInt32.max))")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

func contents(_ folder: URL) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).sorted()
}

@Suite struct AtomicFileTests {
    @Test func writesAndReplacesLeavingNoTemporaryFiles() throws {
        let folder = try scratchFolder()
        let file = folder.appendingPathComponent("a.bin")
        try AtomicFile.write([1, 2, 3], to: file)
        try AtomicFile.write("new", to: file)
        #expect(try Data(contentsOf: file) == Data("new".utf8))
        #expect(contents(folder) == ["a.bin"])
    }

    @Test func missingFolderNamesThePathAndTheReason() throws {
        let folder = try scratchFolder()
        let file = folder.appendingPathComponent("no/a.bin")
        #expect(throws: OutputError(path: file.path, reason: "the folder \(folder.path)/no does not exist", kind: .folderMissing)) {
            try AtomicFile.write([1], to: file)
        }
    }

    @Test func destinationThatIsAFolderFailsAndLeavesNothing() throws {
        let folder = try scratchFolder()
        let target = folder.appendingPathComponent("taken")
        try FileManager.default.createDirectory(at: target, withIntermediateDirectories: false)
        do {
            try AtomicFile.write([1], to: target)
            Issue.record("renaming a file over a folder succeeded")
        } catch let e as OutputError {
            #expect(e.path == target.path && e.reason.hasPrefix("rename: "))
            #expect(e.description.hasPrefix("\(target.path): cannot write: rename: "))
        }
        #expect(contents(folder) == ["taken"])
    }
}

@Suite struct OutputPathTests {
    @Test func commitMovesTheTemporaryFileIntoPlace() throws {
        let folder = try scratchFolder()
        let output = try OutputPath(folder.appendingPathComponent("clip.mp4"))
        #expect(output.temporary.pathExtension == "mp4")
        #expect(output.temporary.deletingLastPathComponent().path == folder.path)
        try Data("x".utf8).write(to: output.temporary)
        try output.commit()
        #expect(contents(folder) == ["clip.mp4"])
    }

    @Test func commitWithoutAWrittenFileFailsAndDiscardRemoves() throws {
        let folder = try scratchFolder()
        let output = try OutputPath(folder.appendingPathComponent("a.png"))
        #expect(throws: OutputError.self) { try output.commit() }
        try Data("x".utf8).write(to: output.temporary)
        output.discard()
        #expect(contents(folder).isEmpty)
    }

    @Test func parentThatIsAFileIsRefused() throws {
        let folder = try scratchFolder()
        let file = folder.appendingPathComponent("f")
        try Data().write(to: file)
        #expect(throws: OutputError(path: file.path + "/a.png", reason: "\(file.path) is not a folder")) {
            try OutputPath(file.appendingPathComponent("a.png"))
        }
    }
}

@Suite struct OutputFolderTests {
    struct Stop: Error {}

    @Test func appearsWholeOnSuccess() throws {
        let parent = try scratchFolder()
        let out = parent.appendingPathComponent("data")
        try OutputFolder(out).fill { staging in
            #expect(staging != out)
            #expect(!FileManager.default.fileExists(atPath: out.path))
            try Data("1".utf8).write(to: staging.appendingPathComponent("a.txt"))
            try FileManager.default.createDirectory(at: staging.appendingPathComponent("sub"), withIntermediateDirectories: false)
            try Data("2".utf8).write(to: staging.appendingPathComponent("sub/b.txt"))
        }
        #expect(contents(parent) == ["data"])
        #expect(contents(out) == ["a.txt", "sub"])
    }

    @Test func leavesNothingOnFailure() throws {
        let parent = try scratchFolder()
        #expect(throws: Stop.self) {
            try OutputFolder(parent.appendingPathComponent("data")).fill { staging in
                try Data("1".utf8).write(to: staging.appendingPathComponent("a.txt"))
                throw Stop()
            }
        }
        #expect(contents(parent).isEmpty)
    }

    @Test func refusesANonEmptyFolderButTakesAnEmptyOne() throws {
        let parent = try scratchFolder()
        let out = parent.appendingPathComponent("data")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: false)
        try OutputFolder(out).fill { try Data().write(to: $0.appendingPathComponent("x")) }
        #expect(throws: OutputError(path: out.path, reason: "already exists and is not empty (refusing to overwrite)")) {
            try OutputFolder(out)
        }
        #expect(contents(parent) == ["data"])
    }
}

@Suite struct ProgressBarTests {
    @Test func plainLinesEveryTenthWithStatus() {
        var lines: [String] = []
        let bar = ProgressBar("train", total: 20, interactive: false) { lines.append($0) }
        for i in 0...20 { bar.update(i, status: "loss 0.123") }
        #expect(lines.count == 11)
        #expect(lines.allSatisfy { $0.hasSuffix(")\n") && $0.contains("  loss 0.123 (") })
        #expect(lines.last?.hasPrefix("train: 20/20  loss 0.123 (") == true)
    }

    @Test func terminalRedrawsOneLineAndEndsWithNewline() {
        var out = ""
        let bar = ProgressBar("render", total: 3, interactive: true) { out += $0 }
        bar.update(1)
        bar.update(3, status: "done")
        #expect(out.hasPrefix("\rrender █"))
        #expect(out.contains(" 3/3  done  "))
        #expect(out.hasSuffix("\n"))
        #expect(out.filter { $0 == "\n" }.count == 1)
    }

    @Test func clockFormats() {
        #expect(ProgressBar.clock(59.4) == "0:59")
        #expect(ProgressBar.clock(3725) == "1:02:05")
    }
}
