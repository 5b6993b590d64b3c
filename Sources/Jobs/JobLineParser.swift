import Pipeline
import Diffusion
import Foundation
import SceneGraphs

/// A bad jobs line: file, line number, the field at fault and why. The job records it and goes on.
public struct JobLineError: Error, CustomStringConvertible, Equatable, Sendable, Codable {
    public var file: String
    public var line: Int
    /// The line's id, when it got far enough to have one.
    public var id: String?
    public var field: String?
    public var reason: String

    public init(file: String, line: Int, id: String? = nil, field: String? = nil, reason: String) {
        self.file = file; self.line = line; self.id = id; self.field = field; self.reason = reason
    }

    public var description: String { "\(file):\(line): " + (field.map { "\($0): " } ?? "") + reason }
}

/// What one line of a jobs file holds.
public enum JobLine: Equatable, Sendable {
    /// An empty or all-blank line.
    case blank
    case job(JobSpec)
    case bad(JobLineError)

    /// The keys a jobs line may have.
    public static let fields = ["id", "graph", "graph_path", "frames", "count", "seed", "sampler", "steps", "eta", "guidance", "relation_guidance", "guidance_cutoff", "object_guidance", "best_of", "size", "kind"]
    /// Most outputs one line may ask for: a typo such as 1e9 fails at once instead of filling a disk.
    public static let maxCount = SampleLimits.mostImages

    /// Parses one line on its own — no files read, no model needed — so a fuzzer can call it.
    /// `file` only names the jobs file in errors. Graph references and vocabulary are checked later (`JobPlan`).
    public static func parse(_ text: Substring, line: Int, file: String = "jobs.jsonl", defaults: JobDefaults = JobDefaults()) -> JobLine {
        if text.allSatisfy(\.isWhitespace) { return .blank }
        var id: String?
        func fail(_ field: String?, _ reason: String) -> JobLine {
            .bad(JobLineError(file: file, line: line, id: id, field: field, reason: reason))
        }
        let data = Data(text.utf8)
        let root: Any
        do { root = try JSONSerialization.jsonObject(with: data) } catch {
            return fail(nil, "malformed JSON (\(syntaxProblem(error, length: data.count)))")
        }
        guard let object = root as? [String: Any] else { return fail(nil, "expected one JSON object per line, {\"id\": …, \"graph\": …}") }

        // The id first, so later errors can name it.
        guard let rawID = object["id"] else { return fail("id", "missing (every line needs a unique id)") }
        if let s = rawID as? String { id = s } else if let n = integer(rawID) { id = String(n) } else {
            return fail("id", "expected a string")
        }
        guard let id, !id.isEmpty, !id.allSatisfy(\.isWhitespace) else { return fail("id", "must not be empty") }
        guard id.utf8.count <= 200 else { return fail("id", "longer than 200 bytes") }

        if let unknown = object.keys.filter({ !fields.contains($0) }).sorted().first {
            let near = fields.min { editDistance($0, unknown) < editDistance($1, unknown) } ?? "id"
            return fail(unknown, "unknown field; did you mean \"\(near)\"? (fields: \(fields.joined(separator: ", ")))")
        }

        let given = ["graph", "graph_path", "frames"].filter { object[$0] != nil }
        guard !given.isEmpty else { return fail("graph", "missing: give one of graph, graph_path or frames") }
        guard given.count == 1 else { return fail(given[1], "give only one of graph, graph_path and frames (this line has \(given.joined(separator: " and ")))") }
        let source: GraphSource
        switch given[0] {
        case "graph":
            guard object["graph"] is [String: Any] else { return fail("graph", "expected a graph object {\"objects\": […], \"relationships\": […]}") }
            switch decodeDocument(object["graph"]!, field: "graph") {
            case .failure(let e): return fail(e.field, e.reason)
            case .success(.graph(let g)): source = .graph(g)
            case .success: return fail("graph", "expected one graph object; frame sequences go in \"frames\"")
            }
        case "frames":
            guard let list = object["frames"] as? [Any] else { return fail("frames", "expected a list of graph objects, one per frame") }
            switch decodeDocument(["frames": list], field: "") {
            case .failure(let e): return fail(e.field, e.reason)
            case .success(let document): source = .frames(document.graphs)
            }
        default:
            guard let path = object["graph_path"] as? String, !path.isEmpty else { return fail("graph_path", "expected a non-empty path string") }
            source = .path(path)
        }

        var kind: JobKind = if case .frames = source { .video } else { .image }
        if let raw = object["kind"] {
            guard let name = raw as? String, let k = JobKind(rawValue: name) else { return fail("kind", "expected \"image\" or \"video\"") }
            kind = k
        }
        if kind == .image, case .frames = source {
            return fail("kind", "frames make a video: use \"kind\": \"video\", or give graph / graph_path for images")
        }
        if kind == .video, case .graph = source {
            return fail("kind", "a video needs \"frames\" (one graph per frame), not one graph")
        }

        var count = defaults.count
        if let raw = object["count"] {
            guard let n = integer(raw), n >= 1, n <= maxCount else { return fail("count", "expected a whole number in 1…\(maxCount), got \(show(raw))") }
            count = n
        }
        var seed = defaults.seed
        if let raw = object["seed"] {
            guard let n = integer(raw) else { return fail("seed", "expected a whole number, got \(show(raw))") }
            guard n >= 0 else { return fail("seed", "must not be negative, got \(n)") }
            seed = UInt64(n)
        }
        var guidance = defaults.guidance
        if let raw = object["guidance"] {
            guard let g = number(raw), g.isFinite, SampleLimits.guidance.contains(g) else {
                return fail("guidance", "expected a number in \(SampleLimits.guidance.lowerBound)…\(SampleLimits.guidance.upperBound), got \(show(raw))")
            }
            guidance = g
        }
        var relationGuidance = defaults.relationGuidance
        if let raw = object["relation_guidance"] {
            guard let g = number(raw), g.isFinite, SampleLimits.guidance.contains(g) else {
                return fail("relation_guidance", "expected a number in \(SampleLimits.guidance.lowerBound)…\(SampleLimits.guidance.upperBound), got \(show(raw))")
            }
            relationGuidance = g
        }
        var guidanceCutoff = defaults.guidanceCutoff
        if let raw = object["guidance_cutoff"] {
            guard let c = number(raw), c.isFinite, SampleLimits.guidanceCutoff.contains(c) else {
                return fail("guidance_cutoff", "expected a share of the schedule in 0…1, got \(show(raw))")
            }
            guidanceCutoff = c
        }
        var objectGuidance = defaults.objectGuidance
        if let raw = object["object_guidance"] {
            guard let o = number(raw), o.isFinite, SampleLimits.objectGuidance.contains(o) else {
                return fail("object_guidance", "expected a number in 0…\(Int(SampleLimits.objectGuidance.upperBound)), got \(show(raw))")
            }
            objectGuidance = o
        }
        if kind == .video, let raw = object["object_guidance"], objectGuidance != 0 {
            return fail("object_guidance", "\(show(raw)): object guidance applies to images; a video is drawn without it")
        }
        var bestOf = defaults.bestOf
        if let raw = object["best_of"] {
            guard let n = integer(raw), (1...SampleLimits.mostCandidates).contains(n) else {
                return fail("best_of", "expected a whole number of candidates in 1…\(SampleLimits.mostCandidates), got \(show(raw))")
            }
            bestOf = n
        }
        var size = defaults.size
        if let raw = object["size"] {
            guard let n = integer(raw), n >= 1, n <= SampleLimits.largestSize else {
                return fail("size", "expected a whole number of pixels in 1…\(SampleLimits.largestSize), got \(show(raw))")
            }
            size = n
        }

        // A line that names its own sampler takes that sampler's default steps, not the command's.
        var samplerName = defaults.sampler, steps = defaults.steps, eta = defaults.eta
        if let raw = object["sampler"] {
            guard let name = raw as? String else { return fail("sampler", "expected a name: \(SamplerKind.names.joined(separator: ", "))") }
            samplerName = name; steps = nil; eta = nil
        }
        if let raw = object["steps"] {
            // The model's T is known only once the plan is made (`JobPlan.checkSettings`); this is the sanity bound.
            guard let n = integer(raw), n >= 1, n <= DiffusionSetup.mostTimesteps else {
                return fail("steps", "expected a whole number in 1…\(DiffusionSetup.mostTimesteps), got \(show(raw))")
            }
            steps = n
        }
        if let raw = object["eta"] {
            guard let e = number(raw), e >= 0, e <= 1 else { return fail("eta", "expected a number in 0…1, got \(show(raw))") }
            eta = e
        }
        let sampler: SamplerKind
        do { sampler = try SamplerKind(name: samplerName, steps: steps, eta: eta) } catch {
            if eta != nil, samplerName.lowercased() != "ddim", SamplerKind.names.contains(samplerName.lowercased()) {
                return fail("eta", "applies to the ddim sampler only, not \(samplerName)")
            }
            return fail("sampler", "unknown sampler \"\(samplerName)\": expected one of \(SamplerKind.names.joined(separator: ", "))")
        }
        let settings = SampleSettings(sampler: sampler, guidance: guidance, seed: seed, size: size, relationGuidance: relationGuidance, bestOf: bestOf,
                                      guidanceCutoff: guidanceCutoff, objectGuidance: objectGuidance)
        return .job(JobSpec(id: id, line: line, kind: kind, source: source, count: count, settings: kind == .video ? settings.forClips : settings))
    }

    /// A graph or frames value decoded by the scene graph reader, its error field prefixed with where it sat in the line.
    static func decodeDocument(_ value: Any, field: String) -> Result<SceneGraphDocument, JobLineError> {
        func failure(_ field: String?, _ reason: String) -> Result<SceneGraphDocument, JobLineError> {
            .failure(JobLineError(file: "", line: 0, field: field, reason: reason))
        }
        guard let data = try? JSONSerialization.data(withJSONObject: value) else { return failure(field, "not valid JSON") }
        do { return .success(try SceneGraphDecoder.decode(data, source: "")) } catch let e as SceneGraphError {
            var path = field
            if let graph = e.graph, e.field?.hasPrefix("frames[") != true { path += (path.isEmpty ? "frames" : "") + "[\(graph)]" }
            if let f = e.field { path += path.isEmpty ? f : "." + f }
            return failure(path.isEmpty ? nil : path, e.message)
        } catch {
            return failure(field, "\(error)")
        }
    }

    /// A JSON whole number (not a bool, not a fraction).
    static func integer(_ value: Any) -> Int? {
        guard let n = value as? NSNumber, !isBool(n) else { return nil }
        let d = n.doubleValue
        guard d.isFinite, d == d.rounded(), abs(d) < 9.2e18 else { return nil }
        // Beyond 2^53 a Double has lost digits that the integer value still holds.
        return abs(d) < 9e15 ? Int(d) : Int(n.int64Value)
    }

    /// A JSON number (not a bool).
    static func number(_ value: Any) -> Double? {
        guard let n = value as? NSNumber, !isBool(n) else { return nil }
        return n.doubleValue
    }

    static func isBool(_ n: NSNumber) -> Bool {
        let type = String(cString: n.objCType)
        return type == "c" || type == "B"
    }

    /// A value as the user wrote it, short, for error messages.
    static func show(_ value: Any) -> String {
        if let s = value as? String { return "\"\(s.prefix(40))\"" }
        if let n = value as? NSNumber { return isBool(n) ? (n.boolValue ? "true" : "false") : "\(n)" }
        if value is NSNull { return "null" }
        return value is [Any] ? "a list" : "an object"
    }

    /// "unexpected end of input" or "at column N", from the parser's character offset.
    static func syntaxProblem(_ error: Error, length: Int) -> String {
        let text = (error as NSError).userInfo["NSDebugDescription"] as? String ?? "\(error)"
        if text.contains("end of file") || text.contains("Unexpected end") { return "unexpected end of line" }
        if let range = text.range(of: #"character (\d+)"#, options: .regularExpression),
           let n = Int(text[range].dropFirst("character ".count)) {
            return "at column \(min(n, length) + 1)"
        }
        return "not a JSON object"
    }

    /// Levenshtein distance, for "did you mean" hints on mistyped field names.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        var row = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var previous = row[0]
            row[0] = i
            for j in stride(from: 1, through: b.count, by: 1) {
                let current = row[j]
                row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] == b[j - 1] ? 0 : 1))
                previous = current
            }
        }
        return row[b.count]
    }
}
