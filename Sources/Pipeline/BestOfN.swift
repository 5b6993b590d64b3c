import Foundation
import Media
import SceneGraphs

/// Best of N: N candidates per image, kept by the learned graph–image score (averaged with its
/// mirror image's, `GraphImageScorer.mirrorAveragedScores`), never by the ShapeWorld checker — so
/// it works on data that has no checker.
extension DiffusionPipeline {
    /// Why best-of-N without a scorer is refused (after "--best-of N " or a job line's "N ").
    public static let needsScorer = "needs the pretrained encoders to score candidates (--scorer, or the shipped \(ShippedModel.encoders.rawValue))"

    /// Candidate `j` of the image with `seed`: candidate 0 is the seed itself, so best-of-1 is the
    /// plain image; the others are hashed from (seed, j), so they repeat exactly and do not collide
    /// with the neighbouring images' seeds (image k of a request has seed + k).
    public static func candidateSeed(_ seed: UInt64, candidate j: Int) -> UInt64 {
        guard j > 0 else { return seed }
        var mix = SplitMix64(seed: seed ^ (UInt64(j) &* 0xD1B5_4A32_D192_ED03))
        return mix.next()
    }

    /// Each request drawn `settings.bestOf` times (candidate seeds from `candidateSeed`), keeping the
    /// candidate the scorer places closest to its graph (`mirrorAveragedScores`). `progress` counts
    /// kept images; `stepProgress` follows the denoising steps of the candidates' batch being drawn.
    func bestImages(_ requests: [(graph: SceneGraph, seed: UInt64)], settings: SampleSettings,
                    progress: ((Int) -> Void)?, cancelled: (() -> Bool)?,
                    stepProgress: ((_ done: Int, _ total: Int) -> Void)?) throws -> [ByteImage] {
        guard let scorer else { throw SamplingError("--best-of \(settings.bestOf) " + Self.needsScorer) }
        var single = settings
        single.bestOf = 1
        let n = settings.bestOf
        var kept: [ByteImage] = []
        kept.reserveCapacity(requests.count)
        // A UNet batch's worth of candidates at a time: memory stays that of plain sampling.
        let perChunk = max(1, batchSize / n)
        for lower in stride(from: 0, to: requests.count, by: perChunk) {
            let chunk = requests[lower..<min(lower + perChunk, requests.count)]
            let candidates = chunk.flatMap { r in (0..<n).map { (graph: r.graph, seed: Self.candidateSeed(r.seed, candidate: $0)) } }
            let images = try self.images(candidates, settings: single, cancelled: cancelled, stepProgress: stepProgress)
            let scores = try scorer.mirrorAveragedScores(graphs: candidates.map(\.graph), images: images)
            for k in 0..<chunk.count {
                let range = (k * n)..<((k + 1) * n)
                // The first best on ties: deterministic whatever the batch layout.
                var best = range.lowerBound
                for i in range where scores[i] > scores[best] { best = i }
                kept.append(images[best])
            }
            progress?(kept.count)
        }
        return kept
    }
}
