import Foundation
import Pipeline

/// Where a generation is in its life.
public enum GenerationStatus: String, Sendable {
    case queued, running, done, failed, cancelled

    /// Done, failed or cancelled: nothing more will change.
    public var isFinal: Bool { self == .done || self == .failed || self == .cancelled }
}

/// How far a generation has come: denoising steps of the batch (or clip) being drawn, and
/// pictures finished out of the total.
public struct GenerationProgress: Sendable, Equatable {
    public var step = 0, steps = 0
    /// Images (or clips) finished, and how many the generation draws.
    public var done = 0, total: Int
    /// 0…1 over the whole generation.
    public var fraction = 0.0
    /// Generations ahead of this one while it waits (0 = next).
    public var position: Int?

    public init(total: Int) { self.total = total }
}

/// One clip's encodings.
public struct ClipFiles: Sendable {
    public var mp4: [UInt8]
    public var gif: [UInt8]
}

/// One generation as the store keeps it: the request, its state and, once done, its files.
public struct Generation: Sendable {
    public let id: String
    public let request: GenerationRequest
    public var status = GenerationStatus.queued
    public var progress: GenerationProgress
    /// PNG bytes, image k drawn with seed + k.
    public var images: [[UInt8]] = []
    public var clips: [ClipFiles] = []
    public var failure: String?
    /// DELETE asked for it while it ran; the sampler stops at its next step.
    public var cancelRequested = false
    public let created: Date
    public var started: Date?
    public var finished: Date?

    public init(id: String, request: GenerationRequest, created: Date = Date()) {
        self.id = id; self.request = request; self.created = created
        progress = GenerationProgress(total: request.count)
    }

    /// Bytes of results held.
    public var bytes: Int { images.reduce(0) { $0 + $1.count } + clips.reduce(0) { $0 + $1.mp4.count + $1.gif.count } }

    /// The status body of `GET /v1/generations/{id}` and of each event.
    public var json: [String: Any] {
        let base = "/v1/generations/\(id)"
        var body: [String: Any] = ["id": id, "status": status.rawValue, "created": Self.timestamp(created), "settings": settingsJSON,
                                   "notices": request.notices]
        var progressJSON: [String: Any] = ["step": progress.step, "steps": progress.steps, "done": progress.done, "total": progress.total,
                                           "fraction": (progress.fraction * 1000).rounded() / 1000]
        if let position = progress.position { progressJSON["position"] = position }
        body["progress"] = progressJSON
        let seed = request.settings.seed
        switch request.work {
        case .images:
            body["kind"] = "images"
            body["images"] = images.indices.map { ["url": "\(base)/images/\($0).png", "seed": seed &+ UInt64($0)] as [String: Any] }
        case .clips(let frames):
            body["kind"] = "clips"
            body["frames"] = frames.count
            body["videos"] = clips.indices.map {
                ["mp4": "\(base)/videos/\($0).mp4", "gif": "\(base)/videos/\($0).gif", "seed": seed &+ UInt64($0)] as [String: Any]
            }
        }
        if let failure { body["error"] = ["message": failure, "field": NSNull()] as [String: Any] }
        if let started, let finished { body["seconds"] = (finished.timeIntervalSince(started) * 1000).rounded() / 1000 }
        return body
    }

    /// The settings the generation draws with, every default filled in (what `sample` would be given).
    var settingsJSON: [String: Any] {
        let settings = request.settings
        var json: [String: Any] = ["count": request.count, "seed": settings.seed, "guidance": settings.guidance,
                                   "relation_guidance": settings.relationGuidance, "object_guidance": settings.objectGuidance,
                                   "guidance_cutoff": settings.guidanceCutoff, "best_of": settings.bestOf, "size": settings.size.map { $0 as Any } ?? NSNull()]
        switch settings.sampler {
        case .ddpm(let steps): json["sampler"] = "ddpm"; json["steps"] = steps.map { $0 as Any } ?? NSNull()
        case .ddim(let steps, let eta): json["sampler"] = "ddim"; json["steps"] = steps; json["eta"] = eta
        case .dpmSolverPlusPlus2M(let steps): json["sampler"] = "dpm++2m"; json["steps"] = steps
        }
        return json
    }

    static func timestamp(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}
