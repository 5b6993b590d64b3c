import Diffusion
import Foundation
import Pipeline
import SceneGraphs

/// The body of `GET /v1/model`: what a client (or the page) needs to compose a valid request —
/// the image model's vocabulary, every limit a request is checked against, `sample`'s defaults —
/// and, for each loaded model, where it came from and how faithful it was measured to be.
enum ModelDescription {
    static func json(models: LoadedModels, limits: ServerLimits) -> [String: Any] {
        let image = models.image
        let vocabulary = image.vocabulary
        let framesLimit: Any = models.video.map { video in min(video.maximumFrames ?? SceneGraphDiffusion.maximumClipFrames, SceneGraphDiffusion.maximumClipFrames) } ?? NSNull()
        let limitsJSON: [String: Any] = [
            "objects": image.validator.maxObjects,
            "triples": image.validator.maxTriples.map { $0 as Any } ?? NSNull(),
            "frames": framesLimit,
            "count": limits.imagesPerGeneration,
            "steps": image.setup.timesteps,
            "size": ["min": image.imageSize, "max": SampleLimits.largestSize, "multiple_of": image.imageSize],
            "pixels": limits.pixelsPerGeneration,
            "guidance": [SampleLimits.guidance.lowerBound, SampleLimits.guidance.upperBound],
            "best_of": image.scorer == nil ? 1 : SampleLimits.mostCandidates,
            "body_bytes": limits.bodyBytes,
            "queue": limits.queuedGenerations,
            "stored_generations": limits.storedGenerations,
        ]
        let defaults: [String: Any] = [
            "count": 1, "seed": 0, "sampler": "dpm++2m", "guidance": SampleSettings.defaultGuidance, "relation_guidance": SampleSettings.defaultRelationGuidance,
            "object_guidance": SampleSettings.defaultObjectGuidance,
            "guidance_cutoff": SampleSettings.defaultGuidanceCutoff, "best_of": 1,
            "size": image.imageSize, "eta": 0,
            "steps": ["dpm++2m": SamplerKind.defaultDPMSolverSteps, "ddim": SamplerKind.defaultDDIMSteps, "ddpm": image.setup.timesteps],
        ]
        return [
            "objects": Array(vocabulary.objectNames.dropFirst()),
            "predicates": Array(vocabulary.predicateNames.dropFirst()),
            "samplers": SamplerKind.names,
            "limits": limitsJSON,
            "defaults": defaults,
            "image_model": describe(image, file: models.imageFile),
            "video_model": models.video.map { describe($0, file: models.videoFile) } ?? NSNull(),
            "scorer": models.scorerFile.map { $0 as Any } ?? NSNull(),
        ]
    }

    /// One model's identity: file, size, steps trained, provenance and measured faithfulness.
    static func describe(_ pipeline: DiffusionPipeline, file: String?) -> [String: Any] {
        let metadata = pipeline.metadata
        var json: [String: Any] = [
            "file": file.map { $0 as Any } ?? NSNull(),
            "image_size": pipeline.imageSize,
            "timesteps": pipeline.setup.timesteps,
            "provenance": metadata["provenance"].map { $0 as Any } ?? NSNull(),
            "steps_trained": metadata["steps"].flatMap { Int($0) }.map { $0 as Any } ?? NSNull(),
            "objects": pipeline.vocabulary.objectNames.count - 1,
            "predicates": pipeline.vocabulary.predicateNames.count - 1,
            "frames": pipeline.maximumFrames.map { $0 as Any } ?? NSNull(),
        ]
        // `faithfulness` is JSON a training or evaluation run wrote into the file's metadata;
        // a file without it (or with text that is not JSON) says null rather than a guess.
        json["faithfulness"] = metadata["faithfulness"].flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8), options: [.fragmentsAllowed]) } ?? NSNull()
        return json
    }
}
