import Pipeline
/// Shard `index` of `count` (0-based): it draws the outputs whose position in the job, counted over
/// all good lines and their counts, is `index` modulo `count` — even shares, whatever the lines' counts.
public struct Shard: Sendable, Equatable, CustomStringConvertible {
    public var index: Int
    public var count: Int

    public init(index: Int, count: Int) throws {
        guard count >= 1 else { throw SamplingError("shards: the number of shards must be at least 1, got \(count)") }
        guard index >= 0 && index < count else { throw SamplingError("shard \(index) of \(count): the index must lie in 0…\(count - 1)") }
        self.index = index; self.count = count
    }

    private init(checkedIndex index: Int, count: Int) { self.index = index; self.count = count }

    /// The whole job in one process.
    public static let whole = Shard(checkedIndex: 0, count: 1)

    /// The shard's manifest: `manifest.jsonl` for a whole job, else `manifest.shard-I-of-N.jsonl`.
    public var manifestName: String { count == 1 ? "manifest.jsonl" : "manifest.shard-\(index)-of-\(count).jsonl" }

    public var description: String { "\(index)/\(count)" }

    /// Whether output number `position` of the job belongs to this shard.
    public func owns(_ position: Int) -> Bool { position % count == index }

    /// `--shard I/N` ("2/4").
    public init(parsing text: String) throws {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]) else {
            throw SamplingError("--shard \(text): expected I/N, e.g. 0/4 (shards are numbered from 0)")
        }
        try self.init(index: i, count: n)
    }

    /// The shard this process runs: `--shard I/N` if given; else a Slurm array task
    /// (`SLURM_ARRAY_TASK_ID` − `SLURM_ARRAY_TASK_MIN` of `SLURM_ARRAY_TASK_COUNT`); else a Kubernetes
    /// Indexed Job's `JOB_COMPLETION_INDEX` of `--shards N`; else the whole job.
    public static func resolve(flag: String?, shards: Int?, environment: [String: String]) throws -> Shard {
        if let flag {
            guard shards == nil else { throw SamplingError("give --shard I/N or --shards N, not both") }
            return try Shard(parsing: flag)
        }
        func number(_ name: String) throws -> Int? {
            guard let text = environment[name], !text.isEmpty else { return nil }
            guard let n = Int(text) else { throw SamplingError("\(name)=\(text): expected a whole number") }
            return n
        }
        if let task = try number("SLURM_ARRAY_TASK_ID") {
            let low = try number("SLURM_ARRAY_TASK_MIN") ?? 0
            guard let count = try shards ?? number("SLURM_ARRAY_TASK_COUNT") else {
                throw SamplingError("SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_COUNT is not: give --shards N")
            }
            // `--array=1-4` numbers tasks from 1; the minimum makes them 0-based.
            return try Shard(index: task - low, count: count)
        }
        if let index = try number("JOB_COMPLETION_INDEX") {
            guard let shards else { throw SamplingError("JOB_COMPLETION_INDEX is set: give --shards N (the Job's completions)") }
            return try Shard(index: index, count: shards)
        }
        if let shards {
            guard shards == 1 else {
                throw SamplingError("--shards \(shards) needs a shard index: --shard I/N, a Slurm array task or a Kubernetes Indexed Job")
            }
        }
        return .whole
    }
}
