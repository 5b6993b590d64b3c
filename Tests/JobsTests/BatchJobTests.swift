import Pipeline
import Foundation
import Media
import Testing
@testable import Jobs

@Suite struct BatchJobTests {
    static let defaults = JobDefaults(sampler: "ddim", steps: 1, guidance: 2, seed: 0, count: 1)

    static func graph(_ objects: [String], _ relations: String = "") -> String {
        #"{"objects": [\#(objects.map { "\"\($0)\"" }.joined(separator: ", "))], "relationships": [\#(relations)]}"#
    }

    /// A job of `n` good lines with mixed graphs, counts and sampler settings.
    static func goodLines(_ n: Int) -> [String] {
        let shapes = ["red circle", "blue square", "green triangle", "yellow circle"]
        return (0..<n).map { i in
            let g = i % 2 == 0 ? graph([shapes[i % 4], shapes[(i + 1) % 4]], #"[0, "left of", 1]"#) : graph([shapes[i % 4]])
            let guidance = i % 3 == 0 ? #", "guidance": 1"# : ""
            return #"{"id": "good-\#(i)", "graph": \#(g), "count": \#(1 + i % 3), "seed": \#(100 * i)\#(guidance)}"#
        }
    }

    static func manifest(_ dir: URL, _ name: String = "manifest.jsonl") throws -> [ManifestEntry] {
        let contents = try ManifestContents.read(dir.appendingPathComponent(name))
        #expect(contents.damagedLines.isEmpty)
        return contents.entries
    }

    /// Every file the job wrote under `top` ("images" or "videos"), by path relative to the folder, with its bytes.
    static func outputs(_ dir: URL, in top: String = "images") throws -> [String: Data] {
        var result: [String: Data] = [:]
        let root = dir.appendingPathComponent(top)
        for case let path as String in FileManager.default.enumerator(atPath: root.path) ?? FileManager.DirectoryEnumerator() {
            let url = root.appendingPathComponent(path)
            var isFolder: ObjCBool = false
            FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder)
            if !isFolder.boolValue { result[top + "/" + path] = try Data(contentsOf: url) }
        }
        return result
    }

    /// must-show 3: 100 bad lines of 12 kinds, each reported with its line number and reason, and every good line done.
    @Test func aHundredBadLinesAreReportedAndEveryGoodLineIsDone() throws {
        let dir = TinyModel.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let sampler = try DiffusionPipeline(modelFile: try TinyModel.write(in: dir))
        try Data(Self.graph(["red circle"]).utf8).write(to: dir.appendingPathComponent("ok.json"))
        let ok = Self.graph(["red circle", "blue square"], #"[0, "above", 1]"#)
        let kinds: [(line: (Int) -> String, field: String?, reason: String)] = [
            ({ #"{"id": "bad-\#($0)", "graph": {"objects": ["red circle""# }, nil, "malformed JSON"),
            ({ #"{"id": "bad-\#($0)", "graph": \#(Self.graph(["red circel", "blue square"]))}"# }, "graph.objects[0]", "unknown object \"red circel\"; nearest: \"red circle\""),
            ({ #"{"id": "bad-\#($0)", "count": 2}"# }, "graph", "missing"),
            ({ #"{"id": "bad-\#($0)", "graph": \#(ok), "count": \#($0 % 2 == 0 ? "0" : "\"three\"")}"# }, "count", "expected a whole number in 1…100000"),
            ({ _ in #"{"id": "good-0", "graph": \#(ok)}"# }, "id", "duplicate id \"good-0\" (first used on line 1)"),
            ({ #"{"id": "bad-\#($0)", "graph_path": "missing-\#($0).json"}"# }, "graph_path", "cannot read"),
            ({ #"{"id": "bad-\#($0)", "graph": \#(ok), "sampler": "euler-a"}"# }, "sampler", "unknown sampler \"euler-a\""),
            ({ #"{"id": "bad-\#($0)", "graph": \#(ok), "seed": -\#($0)}"# }, "seed", "must not be negative"),
            ({ #"{"id": "bad-\#($0)", "graph": \#(ok), "size": 24}"# }, "size", "not a whole multiple of the model's image size 16"),
            ({ #"{"id": "bad-\#($0)", "graph": \#(Self.graph(["red circle", "blue square"], #"[1, "above", 1]"#))}"# }, "graph.relationships[0]", "related to itself"),
            ({ #"{"id": "bad-\#($0)", "graph": \#(Self.graph(["red circle"], #"[0, "above", 3]"#))}"# }, "graph.relationships[0][2]", "index 3 out of range"),
            ({ #"{"id": "bad-\#($0)", "graph": \#(ok), "guidence": 2}"# }, "guidence", "unknown field; did you mean \"guidance\""),
            ({ #"{"id": "bad-\#($0)", "graph": \#(Self.graph(["red circle", "blue square"], #"[0, "beside", 1]"#))}"# }, "graph.relationships[0][1]", "unknown predicate \"beside\""),
            ({ #"{"id": "bad-\#($0)", "graph": \#(Self.graph([]))}"# }, "graph.objects", "the graph is empty"),
        ]
        // Good lines first and then every 10th line, bad lines cycling through the kinds between them.
        let good = Self.goodLines(12) + [#"{"id": "from-file", "graph_path": "ok.json", "count": 2}"#]
        var lines: [String] = [], expected: [(line: Int, field: String?, reason: String)] = []
        var nextGood = 0, nextBad = 0
        while nextBad < 100 || nextGood < good.count {
            if nextGood < good.count && (lines.count % 10 == 0 || nextBad == 100) {
                lines.append(good[nextGood]); nextGood += 1
            } else {
                let kind = kinds[nextBad % kinds.count]
                lines.append(kind.line(nextBad))
                expected.append((lines.count, kind.field, kind.reason))
                nextBad += 1
            }
        }
        let jobs = dir.appendingPathComponent("jobs.jsonl")
        try Data(lines.joined(separator: "\n").utf8).write(to: jobs)
        let out = dir.appendingPathComponent("out")
        let summary = try BatchJob(jobsFile: jobs, output: out, defaults: Self.defaults).run(with: sampler, showProgress: false)

        let errors = try JobFolder.readLines(JobLineError.self, from: out.appendingPathComponent("errors.jsonl"))
        #expect(errors.count == 100 && summary.badLines == 100)
        #expect(Set(expected.map(\.reason)).count >= 10)
        for (e, x) in zip(errors, expected) {
            #expect(e.line == x.line && e.file == jobs.path, "\(e)")
            #expect(e.field == x.field, "line \(x.line): field \(e.field ?? "nil"), expected \(x.field ?? "nil")")
            #expect(e.reason.contains(x.reason), "line \(x.line): \(e.reason)")
        }
        let entries = try Self.manifest(out)
        let goodOutputs = (0..<12).map { 1 + $0 % 3 }.reduce(0, +) + 2
        #expect(entries.count == goodOutputs && summary.drawn == goodOutputs)
        #expect(entries.allSatisfy { $0.status == .ok })
        #expect(Set(entries.map(\.id)) == Set((0..<12).map { "good-\($0)" } + ["from-file"]))
        for entry in entries { #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent(entry.files[0]).path)) }
        #expect(try Self.outputs(out).count == goodOutputs)
    }

    @Test func resumeSkipsDoneRedoesPartialAndCleansUp() throws {
        let dir = TinyModel.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let sampler = try DiffusionPipeline(modelFile: try TinyModel.write(in: dir))
        let jobs = dir.appendingPathComponent("jobs.jsonl")
        try Data(Self.goodLines(4).joined(separator: "\n").utf8).write(to: jobs)
        let out = dir.appendingPathComponent("out")
        let job = BatchJob(jobsFile: jobs, output: out, defaults: Self.defaults, batchSize: 3)
        _ = try job.run(with: sampler, showProgress: false)
        let before = try Self.outputs(out)
        var entries = try Self.manifest(out)
        #expect(entries.count == 1 + 2 + 3 + 1)

        // What a crash leaves: a file written but its line not appended, a torn last line, a
        // temporary file of a write cut short; and a file the user deleted.
        let unrecorded = entries.removeLast()
        let deleted = entries[2]
        try FileManager.default.removeItem(at: out.appendingPathComponent(deleted.files[0]))
        let torn = try entries.map { try $0.jsonLine() + "\n" }.joined() + #"{"id": "good-3", "ind"#
        try Data(torn.utf8).write(to: out.appendingPathComponent("manifest.jsonl"))
        let folder = out.appendingPathComponent(unrecorded.files[0]).deletingLastPathComponent()
        let stale = folder.appendingPathComponent(".\(JobItem.stem(unrecorded.index)).partial-12345-678.png")
        try Data([1, 2, 3]).write(to: stale)

        let summary = try job.run(with: sampler, showProgress: false)
        #expect(summary.drawn == 2 && summary.alreadyDone == 5)
        #expect(!FileManager.default.fileExists(atPath: stale.path))
        let after = try Self.manifest(out)
        #expect(after.count == 7 && Set(after.map(\.key)).count == 7)
        #expect(try Self.outputs(out) == before, "redrawn images must be byte-identical")
        // A third run has nothing to do.
        #expect(try job.run(with: sampler, showProgress: false).drawn == 0)
    }

    @Test func shardsMergeToTheWholeRun() throws {
        let dir = TinyModel.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let sampler = try DiffusionPipeline(modelFile: try TinyModel.write(in: dir))
        let jobs = dir.appendingPathComponent("jobs.jsonl")
        let video = #"{"id": "clip", "frames": [\#(Self.graph(["red circle"])), \#(Self.graph(["red circle"]))], "count": 2}"#
        try Data((Self.goodLines(5) + [video, "{oops"]).joined(separator: "\n").utf8).write(to: jobs)
        let whole = dir.appendingPathComponent("whole"), sharded = dir.appendingPathComponent("sharded")
        _ = try BatchJob(jobsFile: jobs, output: whole, defaults: Self.defaults, batchSize: 4).run(with: sampler, showProgress: false)
        // Different batch sizes per shard: an image must not depend on its batch either.
        for i in [2, 0] { _ = try BatchJob(jobsFile: jobs, output: sharded, defaults: Self.defaults, shard: try Shard(index: i, count: 3), batchSize: 1 + i).run(with: sampler, showProgress: false) }
        do { _ = try JobMerge(folder: sharded).run(); Issue.record("merged with a shard missing") } catch {
            #expect("\(error)".contains("shards 1 of 3 have no manifest"), "\(error)")
        }
        _ = try BatchJob(jobsFile: jobs, output: sharded, defaults: Self.defaults, shard: try Shard(index: 1, count: 3)).run(with: sampler, showProgress: false)
        let report = try JobMerge(folder: sharded).run()
        #expect(report.shards == 3 && report.badLines.count == 1 && report.entries.filter { $0.status == .failed }.count == 2)
        #expect("\(report)".contains("2 × \(JobVideoModel.missingReason())"))
        // The whole run's manifest is in the order outputs finished; the merged one in job order.
        func comparable(_ e: [ManifestEntry]) -> [String] { e.map { "\($0.id) \($0.index) \($0.files) \($0.seed) \($0.status) \($0.reason ?? "")" }.sorted() }
        #expect(comparable(try Self.manifest(sharded)) == comparable(try Self.manifest(whole)))
        #expect(try Self.outputs(sharded) == Self.outputs(whole))
        #expect(try JobMerge(folder: whole).run().shards == 1)

        // A duplicated output and a missing file are refused, and nothing is written.
        let drawn = try Self.manifest(sharded, "manifest.shard-0-of-3.jsonl").filter { $0.status == .ok }
        try #require(!drawn.isEmpty)
        let first = drawn[0]
        let handle = try FileHandle(forWritingTo: sharded.appendingPathComponent("manifest.shard-1-of-3.jsonl"))
        handle.seekToEndOfFile(); handle.write(Data((try first.jsonLine() + "\n").utf8)); handle.closeFile()
        try FileManager.default.removeItem(at: sharded.appendingPathComponent(first.files[0]))
        let merged = try Data(contentsOf: sharded.appendingPathComponent("manifest.jsonl"))
        do { _ = try JobMerge(folder: sharded).run(); Issue.record("merged a duplicate") } catch {
            #expect("\(error)".contains("\(first.key) is in the manifests twice"), "\(error)")
            #expect("\(error)".contains("\(first.files[0]) does not exist"), "\(error)")
        }
        #expect(try Data(contentsOf: sharded.appendingPathComponent("manifest.jsonl")) == merged)
    }

    @Test func videoLinesWithoutAVideoModelFailWithAReasonAndRetryKeepsOneLineEach() throws {
        let dir = TinyModel.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let sampler = try DiffusionPipeline(modelFile: try TinyModel.write(in: dir))
        let jobs = dir.appendingPathComponent("jobs.jsonl")
        let frames = "[\(Self.graph(["red circle"])), \(Self.graph(["blue square"]))]"
        let still = Self.graph(["red circle"])
        try Data(#"{"id": "v", "frames": [\#(still), \#(still)], "count": 2}"#.utf8).write(to: jobs)
        let out = dir.appendingPathComponent("out")
        let first = try BatchJob(jobsFile: jobs, output: out, defaults: Self.defaults).run(with: sampler, showProgress: false)
        #expect(first.failed == 2 && first.drawn == 0)
        let entries = try Self.manifest(out)
        #expect(entries.map(\.reason) == [JobVideoModel.missingReason(), JobVideoModel.missingReason()])
        #expect(try BatchJob(jobsFile: jobs, output: out, defaults: Self.defaults).run(with: sampler, showProgress: false).failed == 2)
        _ = try BatchJob(jobsFile: jobs, output: out, defaults: Self.defaults, retryFailed: true).run(with: sampler, showProgress: false)
        #expect(try Self.manifest(out).count == 2)
        // Frames whose objects differ between frames are a bad line, not a failed output.
        try Data(#"{"id": "w", "frames": \#(frames)}"#.utf8).write(to: jobs)
        let bad = try BatchJob(jobsFile: jobs, output: dir.appendingPathComponent("out2"), defaults: Self.defaults).run(with: sampler, showProgress: false)
        #expect(bad.badLines == 1)
        let errors = try JobFolder.readLines(JobLineError.self, from: dir.appendingPathComponent("out2/errors.jsonl"))
        #expect(errors.first?.field == "frames[1].objects", "\(errors)")
    }

    @Test func aSecondProcessOnTheSameShardIsRefused() throws {
        let dir = TinyModel.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let manifest = dir.appendingPathComponent("manifest.jsonl")
        let holder = try ManifestWriter(url: manifest)
        do { _ = try ManifestWriter(url: manifest); Issue.record("second lock taken") } catch {
            #expect("\(error)".contains("another process is running this shard"))
        }
        holder.close()
        #expect(throws: Never.self) { _ = try ManifestWriter(url: manifest) }
    }
}
