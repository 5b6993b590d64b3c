import Pipeline
import Foundation
import SceneGraphs

/// A jobs file read and checked against a model: the good lines with their graphs resolved, and every
/// bad line with its reason. Every process of a sharded job computes the same plan from the same file.
public struct JobPlan: Sendable {
    /// Good lines in file order; `graph_path` sources are replaced by the graphs they name.
    public var jobs: [JobSpec]
    /// Bad lines in file order.
    public var errors: [JobLineError]
    /// Repeated relationships dropped from the lines' graphs.
    public var duplicates: DuplicateRelationships

    public init(jobs: [JobSpec], errors: [JobLineError], duplicates: DuplicateRelationships = DuplicateRelationships()) {
        self.jobs = jobs; self.errors = errors; self.duplicates = duplicates
    }

    /// Every output of the job in order: lines in file order, outputs of a line by index.
    public var items: [JobItem] { jobs.flatMap { spec in (0..<spec.count).map { JobItem(spec: spec, index: $0) } } }

    /// Reads `file`; a file that cannot be read at all throws, a bad line is recorded in `errors`.
    /// `scores`: whether a graph–image scorer is loaded, which `best_of` > 1 needs.
    public static func read(_ file: URL, validator: SceneGraphValidator, imageSize: Int, timesteps: Int, scores: Bool = false,
                            defaults: JobDefaults) throws -> JobPlan {
        let text: String
        do { text = try String(contentsOf: file, encoding: .utf8) } catch {
            throw SamplingError("\(file.path): cannot read the jobs file: \(error.localizedDescription)")
        }
        return plan(text: text, file: file.path, folder: file.deletingLastPathComponent(), validator: validator,
                    imageSize: imageSize, timesteps: timesteps, scores: scores, defaults: defaults)
    }

    /// Parses and checks jobs text; `graph_path`s are read relative to `folder`.
    public static func plan(text: String, file: String, folder: URL, validator: SceneGraphValidator, imageSize: Int,
                            timesteps: Int, scores: Bool = false, defaults: JobDefaults) -> JobPlan {
        var jobs: [JobSpec] = [], errors: [JobLineError] = []
        var duplicates = DuplicateRelationships()
        var lineOfID: [String: Int] = [:], lineOfFileName: [String: (line: Int, id: String)] = [:]
        // Editors on Windows start UTF-8 files with a byte-order mark (JSON allows none) and end lines
        // with "\r\n", which Swift counts as one Character: splitting on "\n" alone would miss it.
        let text = text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text
        for (offset, lineText) in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }).enumerated() {
            let line = offset + 1
            switch JobLine.parse(lineText, line: line, file: file, defaults: defaults) {
            case .blank: continue
            case .bad(let error): errors.append(error)
            case .job(var spec):
                if let first = lineOfID[spec.id] {
                    errors.append(JobLineError(file: file, line: line, id: spec.id, field: "id", reason: "duplicate id \"\(spec.id)\" (first used on line \(first))"))
                    continue
                }
                if let first = lineOfFileName[spec.fileName] {
                    errors.append(JobLineError(file: file, line: line, id: spec.id, field: "id",
                                               reason: "ids \"\(first.id)\" (line \(first.line)) and \"\(spec.id)\" make the same file name \"\(spec.fileName)\""))
                    continue
                }
                lineOfID[spec.id] = line
                lineOfFileName[spec.fileName] = (line, spec.id)
                do {
                    spec.source = try resolve(spec, folder: folder, validator: validator, duplicates: &duplicates, at: "\(file):\(line)")
                    try checkSize(spec, imageSize: imageSize)
                    try checkSteps(spec, timesteps: timesteps)
                    try checkBestOf(spec, scores: scores)
                    jobs.append(spec)
                } catch var error as JobLineError {
                    error.file = file; error.line = line; error.id = spec.id
                    errors.append(error)
                } catch {
                    errors.append(JobLineError(file: file, line: line, id: spec.id, reason: "\(error)"))
                }
            }
        }
        return JobPlan(jobs: jobs, errors: errors, duplicates: duplicates)
    }

    /// Reads a `graph_path` and validates the graph or frames against the model.
    /// Repeated relationships are dropped first (counted in `duplicates`, at `location`).
    static func resolve(_ spec: JobSpec, folder: URL, validator: SceneGraphValidator,
                        duplicates: inout DuplicateRelationships, at location: String) throws -> GraphSource {
        func fail(_ field: String, _ reason: String) -> JobLineError { JobLineError(file: "", line: 0, field: field, reason: reason) }
        var source = spec.source
        if case .path(let path) = spec.source {
            let url = path.hasPrefix("/") ? URL(fileURLWithPath: path) : folder.appendingPathComponent(path)
            let document: SceneGraphDocument
            do { document = try SceneGraphDecoder.decode(contentsOf: url) } catch {
                throw fail("graph_path", "\(error)")
            }
            switch (spec.kind, document) {
            case (.image, .graph(let g)): source = .graph(duplicates.distinct(g, at: location))
            case (.video, .sequence(let s)): source = .frames(s.frames.map { duplicates.distinct($0, at: location) })
            case (.image, _): throw fail("graph_path", "\(url.path): expected one graph object for an image job")
            case (.video, _): throw fail("graph_path", "\(url.path): expected {\"frames\": [...]} for a video job")
            }
            let distinct: SceneGraphDocument
            switch source {
            case .graph(let g): distinct = .graph(g)
            case .frames(let f): distinct = .sequence(SceneGraphSequence(frames: f))
            case .path: distinct = document
            }
            do { try validator.validate(distinct, source: url.path) } catch { throw fail("graph_path", "\(error)") }
            return source
        }
        switch source {
        case .graph(let g): source = .graph(duplicates.distinct(g, at: location))
        case .frames(let f): source = .frames(f.map { duplicates.distinct($0, at: location) })
        case .path: break
        }
        switch source {
        case .graph(let g):
            do { try validator.validate(g, source: "") } catch let e as SceneGraphError {
                throw fail("graph" + (e.field.map { "." + $0 } ?? ""), e.message)
            }
        case .frames(let frames):
            do { try validator.validate(.sequence(SceneGraphSequence(frames: frames)), source: "") } catch let e as SceneGraphError {
                let field = e.field.map { $0.hasPrefix("frames[") ? $0 : "frames[\(e.graph ?? 0)].\($0)" } ?? "frames"
                throw fail(field, e.message)
            }
        case .path: break
        }
        return source
    }

    /// A line's steps lie within the model's training timesteps T.
    static func checkSteps(_ spec: JobSpec, timesteps: Int) throws {
        let steps: Int?
        switch spec.settings.sampler {
        case .ddpm(let n): steps = n
        case .ddim(let n, _), .dpmSolverPlusPlus2M(let n): steps = n
        }
        if let steps, steps > timesteps {
            throw JobLineError(file: "", line: 0, field: "steps", reason: "\(steps) is more than the model's \(timesteps) training timesteps")
        }
    }

    /// Best of N picks images by a learned score: a video line draws its clip once, and N > 1 needs a scorer.
    static func checkBestOf(_ spec: JobSpec, scores: Bool) throws {
        let n = spec.settings.bestOf
        guard n > 1 else { return }
        if spec.kind == .video { throw JobLineError(file: "", line: 0, field: "best_of", reason: "\(n): best-of-N picks images; a video is drawn once") }
        if !scores {
            throw JobLineError(file: "", line: 0, field: "best_of",
                               reason: "\(n) " + DiffusionPipeline.needsScorer)
        }
    }

    /// Output sizes are the model's size times a whole factor (nearest upscaling).
    static func checkSize(_ spec: JobSpec, imageSize: Int) throws {
        guard let size = spec.settings.size else { return }
        guard size >= imageSize, size % imageSize == 0 else {
            throw JobLineError(file: "", line: 0, field: "size",
                               reason: "\(size) is not a whole multiple of the model's image size \(imageSize) (e.g. \(imageSize * 4))")
        }
    }
}
