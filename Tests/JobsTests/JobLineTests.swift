import Pipeline
import Diffusion
import Foundation
import SceneGraphs
import ShapeWorld
import Testing
@testable import Jobs

@Suite struct JobLineTests {
    func parse(_ text: String, defaults: JobDefaults = JobDefaults()) -> JobLine { JobLine.parse(Substring(text), line: 7, file: "j.jsonl", defaults: defaults) }

    func error(_ text: String) -> JobLineError? {
        if case .bad(let e) = parse(text) { return e }
        return nil
    }

    @Test func aFullLineAndItsDefaults() throws {
        let full = parse(#"{"id": "a", "graph": {"objects": ["red circle"]}, "count": 3, "seed": 9, "sampler": "ddim", "steps": 4, "eta": 0.5, "guidance": 1.5, "relation_guidance": 1, "guidance_cutoff": 0.25, "object_guidance": 40, "size": 64}"#)
        guard case .job(let spec) = full else { Issue.record("\(full)"); return }
        #expect(spec.id == "a" && spec.line == 7 && spec.count == 3 && spec.kind == .image)
        #expect(spec.settings == SampleSettings(sampler: try SamplerKind(name: "ddim", steps: 4, eta: 0.5), guidance: 1.5, seed: 9, size: 64, relationGuidance: 1, guidanceCutoff: 0.25,
                                              objectGuidance: 40))
        let defaults = JobDefaults(sampler: "ddim", steps: 2, guidance: 2, seed: 5, size: 32, count: 4)
        guard case .job(let d) = parse(#"{"id": 12, "graph_path": "g.json"}"#, defaults: defaults) else { Issue.record("defaults"); return }
        #expect(d.id == "12" && d.count == 4 && d.source == .path("g.json"))
        #expect(d.settings == SampleSettings(sampler: try SamplerKind(name: "ddim", steps: 2), guidance: 2, seed: 5, size: 32))
        #expect(d.settings.relationGuidance == SampleSettings.defaultRelationGuidance && d.settings.guidanceCutoff == SampleSettings.defaultGuidanceCutoff)
        #expect(d.settings.objectGuidance == 150 && SampleSettings.defaultObjectGuidance == 150)
        // A line naming another sampler does not inherit the command's steps for it.
        guard case .job(let other) = parse(#"{"id": "b", "graph_path": "g.json", "sampler": "dpm++2m"}"#, defaults: defaults) else { return }
        #expect(other.settings.sampler == .dpmSolverPlusPlus2M(steps: 20))
        guard case .job(let video) = parse(#"{"id": "v", "frames": [{"objects": ["red circle"]}, {"objects": ["red circle"]}]}"#) else { return }
        #expect(video.kind == .video && video.settings.objectGuidance == 0)
        #expect(parse("   ") == .blank)
    }

    @Test func badLinesNameTheFieldAndReason() {
        let cases: [(String, String?, String)] = [
            (#"{"id": "a", "graph": "#, nil, "malformed JSON"),
            (#"[1, 2]"#, nil, "expected one JSON object per line"),
            (#"{"graph": {"objects": ["red circle"]}}"#, "id", "missing"),
            (#"{"id": "", "graph": {"objects": ["red circle"]}}"#, "id", "must not be empty"),
            (#"{"id": "a"}"#, "graph", "missing: give one of graph, graph_path or frames"),
            (#"{"id": "a", "graph": {"objects": ["x"]}, "graph_path": "g.json"}"#, "graph_path", "give only one"),
            (#"{"id": "a", "graph": {"objects": ["x"]}, "cout": 2}"#, "cout", "did you mean \"count\""),
            (#"{"id": "a", "graph": {"objects": ["x"]}, "count": 0}"#, "count", "1…100000, got 0"),
            (#"{"id": "a", "graph": {"objects": ["x"]}, "count": 2.5}"#, "count", "got 2.5"),
            (#"{"id": "a", "graph": {"objects": ["x"]}, "count": true}"#, "count", "got true"),
            (#"{"id": "a", "graph": {"objects": ["x"]}, "seed": -1}"#, "seed", "must not be negative"),
            (#"{"id": "a", "graph": {"objects": ["x"]}, "sampler": "euler"}"#, "sampler", "unknown sampler \"euler\""),
            (#"{"id": "a", "graph": {"objects": ["x"]}, "steps": 0}"#, "steps", "1…100000"),
            (#"{"id": "a", "graph": {"objects": ["x"]}, "eta": 0.3}"#, "eta", "ddim sampler only"),
            (#"{"id": "a", "graph": {"objects": ["x"]}, "guidance": -2}"#, "guidance", "0.0…100.0"),
            (#"{"id": "a", "graph": {"objects": ["x"]}, "guidance_cutoff": 1.5}"#, "guidance_cutoff", "share of the schedule in 0…1, got 1.5"),
            (#"{"id": "a", "graph": {"objects": ["x"]}, "object_guidance": -1}"#, "object_guidance", "expected a number in 0…100000, got -1"),
            (#"{"id": "a", "frames": [{"objects": ["x"]}], "object_guidance": 100}"#, "object_guidance", "100: object guidance applies to images; a video is drawn without it"),
            (#"{"id": "a", "graph": {"objects": ["x"]}, "size": 0}"#, "size", "1…4096"),
            (#"{"id": "a", "graph": {"objects": ["x"]}, "kind": "gif"}"#, "kind", "\"image\" or \"video\""),
            (#"{"id": "a", "graph": {"objects": ["x"]}, "kind": "video"}"#, "kind", "a video needs \"frames\""),
            (#"{"id": "a", "frames": [{"objects": ["x"]}], "kind": "image"}"#, "kind", "frames make a video"),
            (#"{"id": "a", "graph": {"relationships": []}}"#, "graph.objects", "missing"),
            (#"{"id": "a", "graph": {"objects": ["x", "y"], "relationships": [[0, 1, 1]]}}"#, "graph.relationships[0][1]", "predicate must be a string"),
            (#"{"id": "a", "frames": []}"#, "frames", "non-empty list"),
            (#"{"id": "a", "frames": [{"objects": ["x"]}, {"objects": 3}]}"#, "frames[1].objects", "list of object names"),
        ]
        for (text, field, reason) in cases {
            guard let e = error(text) else { Issue.record("no error for \(text)"); continue }
            #expect(e.line == 7 && e.file == "j.jsonl", "\(text)")
            #expect(e.field == field, "\(text): field \(e.field ?? "nil")")
            #expect(e.reason.contains(reason), "\(text): \(e.reason)")
        }
        #expect(error(#"{"id": "a", "graph": {"objects": ["x"]}, "count": 0}"#)?.description == "j.jsonl:7: count: expected a whole number in 1…100000, got 0")
    }

    /// Arbitrary bytes never crash the parser: it returns a line or an error (what a fuzz target checks).
    @Test func randomBytesGiveAnErrorNotACrash() {
        var state: UInt64 = 1
        let alphabet = Array(#"{}[]":,0123456789-.eE idgraphobjectsnul\"#.utf8)
        var blank = 0, bad = 0, jobs = 0
        for _ in 0..<2000 {
            var bytes: [UInt8] = []
            // Step the generator for the length too: once a length of 0 came up it stayed 0 (every later line blank).
            state = state &* 6364136223846793005 &+ 1442695040888963407
            for _ in 0..<Int((state >> 33) % 60) {
                state = state &* 6364136223846793005 &+ 1442695040888963407
                bytes.append(alphabet[Int(state >> 33) % alphabet.count])
            }
            let text = String(decoding: bytes, as: UTF8.self)
            switch JobLine.parse(Substring(text), line: 1) {
            case .blank:
                blank += 1
                let whitespace = text.allSatisfy { $0.isWhitespace }
                #expect(whitespace, "\(text) read as blank")
            case .bad(let e): bad += 1; #expect(e.line == 1 && !e.reason.isEmpty, "\(text): an error without line or reason")
            case .job(let spec): jobs += 1; #expect(!spec.id.isEmpty, "\(text): a job without an id")
            }
        }
        // Random bytes are almost never a job line: most are errors, each with its line and a reason (the rest blank).
        #expect(bad + blank + jobs == 2000 && bad > 1900, "\(bad) errors, \(blank) blank, \(jobs) jobs")
    }

    @Test func safeFileNames() {
        #expect(SafeFileName.make("cat-01.v2") == "cat-01.v2")
        #expect(SafeFileName.make("a/b") != SafeFileName.make("a_b"))
        #expect(SafeFileName.make("a/b").hasPrefix("a_b-"))
        #expect(SafeFileName.make("../etc/passwd").allSatisfy { $0 != "/" })
        #expect(!SafeFileName.make(".hidden").hasPrefix("."))
        #expect(SafeFileName.make("ünï cödé").unicodeScalars.allSatisfy { $0.isASCII })
        #expect(SafeFileName.make(String(repeating: "x", count: 300)).count < 100)
    }

    @Test func shardsFromFlagsSlurmAndKubernetes() throws {
        #expect(try Shard.resolve(flag: "2/4", shards: nil, environment: [:]) == Shard(index: 2, count: 4))
        #expect(try Shard.resolve(flag: nil, shards: nil, environment: [:]) == .whole)
        let slurm = ["SLURM_ARRAY_TASK_ID": "3", "SLURM_ARRAY_TASK_COUNT": "4", "SLURM_ARRAY_TASK_MIN": "1"]
        #expect(try Shard.resolve(flag: nil, shards: nil, environment: slurm) == Shard(index: 2, count: 4))
        #expect(try Shard.resolve(flag: nil, shards: nil, environment: ["SLURM_ARRAY_TASK_ID": "0", "SLURM_ARRAY_TASK_COUNT": "2"]) == Shard(index: 0, count: 2))
        #expect(try Shard.resolve(flag: nil, shards: 5, environment: ["JOB_COMPLETION_INDEX": "4"]) == Shard(index: 4, count: 5))
        #expect(try Shard.resolve(flag: "1/2", shards: nil, environment: slurm) == Shard(index: 1, count: 2))
        for (flag, shards, env, message) in [
            ("4/4", nil, [:], "must lie in 0…3"), ("a/b", nil, [:], "expected I/N"),
            (nil, nil, ["JOB_COMPLETION_INDEX": "1"], "give --shards N"),
            (nil, 3, [:], "needs a shard index"), (nil, 2, ["JOB_COMPLETION_INDEX": "2"], "must lie in 0…1"),
        ] as [(String?, Int?, [String: String], String)] {
            #expect(throws: SamplingError.self) { try Shard.resolve(flag: flag, shards: shards, environment: env) }
            do { _ = try Shard.resolve(flag: flag, shards: shards, environment: env) } catch { #expect("\(error)".contains(message), "\(error)") }
        }
        let owned = (0..<10).filter(try Shard(index: 1, count: 3).owns)
        #expect(owned == [1, 4, 7])
    }
}

@Suite struct JobPlanTests {
    @Test func byteOrderMarkWindowsLineEndingsAndFileNameClashes() {
        let validator = SceneGraphValidator(vocabulary: .shapeWorld, maxObjects: 6, maxTriples: 6)
        let clash = SafeFileName.make("a b")
        let text = "\u{FEFF}{\"id\": \"a b\", \"graph\": {\"objects\": [\"red circle\"]}}\r\n"
            + "{\"id\": \"\(clash)\", \"graph\": {\"objects\": [\"red circle\"]}}\r\n\r\n"
            + "{\"id\": \"c\", \"graph\": {\"objects\": [\"red circle\"]}, \"size\": 40}\n"
            + "{\"id\": \"d\", \"graph\": {\"objects\": [\"red circle\"]}, \"steps\": 1001}\n"
        let plan = JobPlan.plan(text: text, file: "j.jsonl", folder: URL(fileURLWithPath: "/nonexistent"), validator: validator,
                                imageSize: 16, timesteps: 1000, defaults: JobDefaults())
        #expect(plan.jobs.map(\.id) == ["a b"])
        #expect(plan.errors.map(\.line) == [2, 4, 5])
        #expect(plan.errors.last?.description == "j.jsonl:5: steps: 1001 is more than the model's 1000 training timesteps")
        let sized = plan.errors[1]
        #expect(plan.errors.first?.reason.contains("make the same file name") == true, "\(plan.errors)")
        #expect(sized.description == "j.jsonl:4: size: 40 is not a whole multiple of the model's image size 16 (e.g. 64)")
    }

    /// `best_of`: 1…16, an image line's only, and only with a scorer loaded; each error names the field.
    @Test func bestOfLines() {
        let validator = SceneGraphValidator(vocabulary: .shapeWorld, maxObjects: 6, maxTriples: 6)
        let text = "{\"id\": \"a\", \"graph\": {\"objects\": [\"red circle\"]}, \"best_of\": 4}\n"
            + "{\"id\": \"b\", \"graph\": {\"objects\": [\"red circle\"]}, \"best_of\": 17}\n"
            + "{\"id\": \"c\", \"frames\": [{\"objects\": [\"red circle\"]}], \"best_of\": 2}\n"
        func plan(scores: Bool) -> JobPlan {
            JobPlan.plan(text: text, file: "j.jsonl", folder: URL(fileURLWithPath: "/nonexistent"), validator: validator,
                         imageSize: 16, timesteps: 1000, scores: scores, defaults: JobDefaults())
        }
        let scored = plan(scores: true)
        #expect(scored.jobs.map(\.id) == ["a"] && scored.jobs.first?.settings.bestOf == 4)
        #expect(scored.errors.map(\.description) == ["j.jsonl:2: best_of: expected a whole number of candidates in 1…16, got 17",
                                                    "j.jsonl:3: best_of: 2: best-of-N picks images; a video is drawn once"])
        #expect(plan(scores: false).errors.first?.description
                == "j.jsonl:1: best_of: 4 needs the pretrained encoders to score candidates (--scorer, or the shipped shapes32_encoder.safetensors)")
    }
}
