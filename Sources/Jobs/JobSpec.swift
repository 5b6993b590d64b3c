import Pipeline
import Diffusion
import SceneGraphs

/// What a jobs line makes: still images now; videos once the video model exists.
public enum JobKind: String, Sendable, Equatable, Codable {
    case image, video
}

/// Where a jobs line's scene graph comes from.
public enum GraphSource: Sendable, Equatable {
    /// `"graph": {...}` inline.
    case graph(SceneGraph)
    /// `"frames": [{...}, ...]` inline: one graph per video frame.
    case frames([SceneGraph])
    /// `"graph_path": "g.json"`, relative to the jobs file's folder; read when the job is planned.
    case path(String)
}

/// One good line of a jobs file: `count` outputs of one graph (or frame sequence), output k drawn
/// with seed `seed + k` so it never depends on the batch or shard that draws it.
public struct JobSpec: Sendable, Equatable {
    /// The line's `id`, as the user wrote it.
    public var id: String
    /// `id` made safe as a file name (see `SafeFileName`).
    public var fileName: String
    /// 1-based line number in the jobs file.
    public var line: Int
    public var kind: JobKind
    public var source: GraphSource
    public var count: Int
    public var settings: SampleSettings

    public init(id: String, line: Int, kind: JobKind, source: GraphSource, count: Int, settings: SampleSettings) {
        self.id = id; self.fileName = SafeFileName.make(id); self.line = line; self.kind = kind
        self.source = source; self.count = count; self.settings = settings
    }
}

/// The values a jobs line leaves out: the `sample` command's options.
public struct JobDefaults: Sendable, Equatable {
    public var sampler: String
    public var steps: Int?
    public var eta: Double?
    public var guidance: Double
    public var seed: UInt64
    public var size: Int?
    public var count: Int
    public var relationGuidance: Double
    public var bestOf: Int
    public var guidanceCutoff: Double
    public var objectGuidance: Double

    public init(sampler: String = "dpm++2m", steps: Int? = nil, eta: Double? = nil, guidance: Double = SampleSettings.defaultGuidance, seed: UInt64 = 0,
                size: Int? = nil, count: Int = 1, relationGuidance: Double = SampleSettings.defaultRelationGuidance, bestOf: Int = 1,
                guidanceCutoff: Double = SampleSettings.defaultGuidanceCutoff, objectGuidance: Double = SampleSettings.defaultObjectGuidance) {
        self.sampler = sampler; self.steps = steps; self.eta = eta; self.guidance = guidance; self.seed = seed
        self.size = size; self.count = count; self.relationGuidance = relationGuidance; self.bestOf = bestOf
        self.guidanceCutoff = guidanceCutoff; self.objectGuidance = objectGuidance
    }
}

/// One output of a job: image (or video) `index` of the job line `spec`.
public struct JobItem: Sendable, Equatable {
    public var spec: JobSpec
    public var index: Int

    public init(spec: JobSpec, index: Int) { self.spec = spec; self.index = index }

    /// The key manifests use: one manifest line per key.
    public var key: ItemKey { ItemKey(id: spec.id, index: index) }
    /// This output's own seed.
    public var seed: UInt64 { spec.settings.seed &+ UInt64(index) }
    /// Its files, relative to the output folder.
    public var files: [String] {
        switch spec.kind {
        case .image: ["images/\(spec.fileName)/\(Self.stem(index)).png"]
        case .video: ["videos/\(spec.fileName)/\(Self.stem(index)).mp4"]
        }
    }

    /// `000003`: the file name of output 3 without its extension.
    static func stem(_ index: Int) -> String {
        let digits = String(index)
        return String(repeating: "0", count: max(0, 6 - digits.count)) + digits
    }
}

/// (id, index): what identifies one output across reruns, shards and merges.
public struct ItemKey: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var id: String
    public var index: Int
    public init(id: String, index: Int) { self.id = id; self.index = index }
    public static func < (a: ItemKey, b: ItemKey) -> Bool { (a.id, a.index) < (b.id, b.index) }
    public var description: String { "\(id)#\(index)" }
}
