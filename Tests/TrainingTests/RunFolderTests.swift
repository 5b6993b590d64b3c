import Foundation
import Testing
@testable import Training

@Suite struct RunFolderTests {
    func temporaryFolder() -> URL {
        URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("runfolder-\(UUID().uuidString)")
    }

    @Test func createWritesTheResolvedConfigAndRefusesAnOccupiedFolder() throws {
        let url = temporaryFolder()
        defer { try? FileManager.default.removeItem(at: url) }
        let run = try RunFolder.create(url, resolvedConfig: "train:\n  steps: 3\n")
        #expect(try String(contentsOf: run.resolvedConfig, encoding: .utf8) == "train:\n  steps: 3\n")
        #expect(throws: CheckpointError.self) { try RunFolder.create(url, resolvedConfig: "") }
        do { _ = try RunFolder.create(url, resolvedConfig: "") } catch { #expect("\(error)".contains("--resume")) }
    }

    @Test func resumingNeedsARun() throws {
        let url = temporaryFolder()
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: url) }
        do { _ = try RunFolder.existing(url); Issue.record("opened a folder without a run") } catch {
            #expect("\(error)".contains("config.yaml is missing"))
        }
    }
}

@Suite struct RunLockTests {
    @Test func secondLockOnARunFails() throws {
        let url = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("runlock-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: url) }
        var first: RunLock? = try RunLock(RunFolder(url))
        do { _ = try RunLock(RunFolder(url)); Issue.record("two locks on one run") } catch {
            #expect("\(error)".contains("another process is training in this run folder"))
        }
        first = nil
        _ = first
        _ = try RunLock(RunFolder(url))   // released with the first holder
    }
}
