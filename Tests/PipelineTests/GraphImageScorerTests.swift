import Diffusion
import Foundation
import GraphEncoder
import Media
import NN
import SceneGraphs
import Testing
import Tensors
@testable import Pipeline

/// A tiny pair of encoders written as pretrain writes them: the graph encoder under `encoder.*`, the
/// image encoder under `image_encoder.*`, sizes in the metadata.
enum TinyScorer {
    static let image = ImageEncoderConfiguration(imageSize: 8, patch: 4, width: 8, depth: 1, heads: 2, globalDimension: 16)

    static func write(to url: URL, withImageEncoder: Bool = true) throws -> (GraphEncoder, ImageEncoder) {
        var rng = RandomGenerator(seed: 11)
        let configuration = TinyPipeline.model().configuration
        let graphEncoder = GraphEncoder(configuration.encoder, rng: &rng), imageEncoder = ImageEncoder(image, rng: &rng)
        var metadata = ["format": "scene-graph-encoder/1", "config": configurationJSON([configuration.section]),
                        "vocab": TinyPipeline.vocabulary.jsonString(), "steps": "0"]
        var tensors = graphEncoder.stateDict(prefix: "encoder.")
        if withImageEncoder {
            metadata["image_encoder"] = image.json
            tensors.merge(imageEncoder.stateDict(prefix: "image_encoder.")) { a, _ in a }
        }
        try SafeTensorsFile(tensors: tensors, metadata: metadata).write(to: url)
        return (graphEncoder, imageEncoder)
    }

    static let graphs = [
        SceneGraph(objects: ["red circle", "blue square"], relationships: [Relationship(0, "left of", 1)]),
        SceneGraph(objects: ["blue square", "red circle"], relationships: [Relationship(0, "right of", 1)]),
        SceneGraph(objects: ["red circle"], relationships: []),
    ]
}

@Suite struct GraphImageScorerTests {
    func message(_ body: () throws -> Void) -> String {
        do { try body(); return "no error" } catch { return "\(error)" }
    }

    /// The scorer read from the file gives the cosine of the encoders' own global vectors.
    @Test func scoresAreTheCosinesOfTheEncodersVectors() throws {
        let dir = TinyPipeline.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("encoder.safetensors")
        let (graphEncoder, imageEncoder) = try TinyScorer.write(to: url)
        let scorer = try GraphImageScorer(file: url)
        var rng = RandomGenerator(seed: 5)
        let images = try (0..<3).map { _ in try ByteImage(width: 8, height: 8, channels: 3, pixels: (0..<192).map { _ in UInt8(rng.nextInt(below: 256)) }) }
        let scores = try scorer.scores(graphs: TinyScorer.graphs, images: images)
        let g = graphEncoder(try GraphBatch(TinyScorer.graphs, vocabulary: TinyPipeline.vocabulary)).global
        let batch = Tensor(shape: [3, 3, 8, 8], scalars: images.flatMap { $0.tensor().scalars })
        let v = imageEncoder.global(imageEncoder.encode(imageEncoder.embed(batch)))
        for i in 0..<3 {
            let a = Array(g.scalars[(i * 16)..<((i + 1) * 16)]), b = Array(v.scalars[(i * 16)..<((i + 1) * 16)])
            let dot = zip(a, b).reduce(0) { $0 + $1.0 * $1.1 }
            let cosine = dot / (a.reduce(0) { $0 + $1 * $1 }.squareRoot() * b.reduce(0) { $0 + $1 * $1 }.squareRoot())
            #expect(abs(scores[i] - cosine) < 1e-5, "pair \(i): \(scores[i]) vs \(cosine)")
        }
    }

    /// The mirror-averaged score is the mean of the pair's score and the score of the image mirrored
    /// left to right against the graph with left and right swapped (both written out by hand here).
    @Test func mirrorAveragedScoresAverageThePairAndItsMirror() throws {
        let dir = TinyPipeline.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("encoder.safetensors")
        _ = try TinyScorer.write(to: url)
        let scorer = try GraphImageScorer(file: url)
        var rng = RandomGenerator(seed: 6)
        let images = try (0..<3).map { _ in try ByteImage(width: 8, height: 8, channels: 3, pixels: (0..<192).map { _ in UInt8(rng.nextInt(below: 256)) }) }
        let mirroredImages = try images.map { image in
            try ByteImage(width: 8, height: 8, channels: 3, pixels: (0..<192).map { i in
                let pixel = i / 3, channel = i % 3, y = pixel / 8, x = pixel % 8
                return image.pixels[3 * (y * 8 + 7 - x) + channel]
            })
        }
        let mirroredGraphs = [
            SceneGraph(objects: ["red circle", "blue square"], relationships: [Relationship(0, "right of", 1)]),
            SceneGraph(objects: ["blue square", "red circle"], relationships: [Relationship(0, "left of", 1)]),
            SceneGraph(objects: ["red circle"], relationships: []),
        ]
        #expect(TinyScorer.graphs.map(\.mirrored) == mirroredGraphs)
        let averaged = try scorer.mirrorAveragedScores(graphs: TinyScorer.graphs, images: images)
        let own = try scorer.scores(graphs: TinyScorer.graphs, images: images)
        let mirror = try scorer.scores(graphs: mirroredGraphs, images: mirroredImages)
        for i in 0..<3 {
            #expect(abs(averaged[i] - (own[i] + mirror[i]) / 2) < 1e-5, "pair \(i): \(averaged[i]) vs \(own[i]), \(mirror[i])")
            #expect(abs(own[i] - mirror[i]) > 1e-4, "pair \(i): a mirror that changed nothing would pass the line above")
        }
    }

    @Test func aFileWithoutTheImageEncoderSaysHowToRewriteIt() throws {
        let dir = TinyPipeline.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("old.safetensors")
        _ = try TinyScorer.write(to: url, withImageEncoder: false)
        #expect(message { _ = try GraphImageScorer(file: url) }.contains("has the graph encoder but not its image encoder"))
        #expect(message { _ = try GraphImageScorer(file: dir.appendingPathComponent("none")) }.hasSuffix("none: no such encoder file"))
    }

    @Test func aScorerMustReadTheModelsImages() throws {
        let dir = TinyPipeline.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("encoder.safetensors")
        _ = try TinyScorer.write(to: url)
        let pipeline = DiffusionPipeline(model: TinyPipeline.model(), vocabulary: TinyPipeline.vocabulary, setup: DiffusionSetup(imageSize: 16))
        #expect(message { try pipeline.use(scorer: GraphImageScorer(file: url)) }.hasSuffix("the scorer reads 8×8 images, the model draws 16×16"))
    }

    /// Best of 3 keeps, for each image, the candidate (drawn alone with its candidate seed) with the
    /// highest mirror-averaged score; best of 1 is plain sampling.
    @Test func bestOfNKeepsTheHighestScoringCandidate() throws {
        let dir = TinyPipeline.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("encoder.safetensors")
        _ = try TinyScorer.write(to: url)
        let pipeline = DiffusionPipeline(model: TinyPipeline.model(), vocabulary: TinyPipeline.vocabulary, setup: DiffusionSetup(imageSize: 8))
        let plain = SampleSettings(sampler: .ddim(steps: 4, eta: 0), guidance: 2, seed: 0)
        #expect(message { try SampleSettings(sampler: .ddim(steps: 4, eta: 0), guidance: 2, seed: 0, bestOf: 3).check(for: pipeline) }
                .hasPrefix("--best-of 3 needs the pretrained encoders"))
        let scorer = try GraphImageScorer(file: url)
        try pipeline.use(scorer: scorer)
        var best = plain
        best.bestOf = 3
        try best.check(for: pipeline)
        let requests = [(graph: TinyScorer.graphs[0], seed: UInt64(7)), (graph: TinyScorer.graphs[1], seed: UInt64(11))]
        var counted: [Int] = []
        let kept = try pipeline.images(requests, settings: best, progress: { counted.append($0) })
        #expect(kept.count == 2 && counted.last == 2)
        var winners: [Int] = []
        for (k, r) in requests.enumerated() {
            let candidates = try (0..<3).map { j in
                try pipeline.images([(r.graph, DiffusionPipeline.candidateSeed(r.seed, candidate: j))], settings: plain)[0]
            }
            let scores = try scorer.mirrorAveragedScores(graphs: [r.graph, r.graph, r.graph], images: candidates)
            let winner = scores.indices.max { scores[$0] < scores[$1] } ?? 0
            winners.append(winner)
            #expect(kept[k].pixels == candidates[winner].pixels, "request \(k): candidate \(winner) of scores \(scores)")
        }
        // A selection that always kept the seed's own image would pass the loop above if every
        // winner were candidate 0; these seeds have one that is not.
        #expect(winners.contains { $0 != 0 }, "winners \(winners)")
        #expect(try pipeline.images(requests, settings: plain).map(\.pixels) == requests.map { try pipeline.images([$0], settings: plain)[0].pixels })
    }

    @Test func candidateSeedsStartAtTheSeedAndAvoidTheNeighbours() {
        #expect(DiffusionPipeline.candidateSeed(41, candidate: 0) == 41)
        let seeds = (0..<16).map { DiffusionPipeline.candidateSeed(41, candidate: $0) }
        #expect(Set(seeds).count == 16)
        #expect(Set(seeds.dropFirst()).isDisjoint(with: (0..<1000).map { UInt64($0) }))
    }

    @Test func bestOfHasLimits() throws {
        let pipeline = DiffusionPipeline(model: TinyPipeline.model(), vocabulary: TinyPipeline.vocabulary, setup: DiffusionSetup(imageSize: 8))
        for n in [0, 17] {
            #expect(message { try SampleSettings(sampler: .ddim(steps: 4, eta: 0), guidance: 2, seed: 0, bestOf: n).check(for: pipeline) }
                    == "--best-of must lie in 1…16, got \(n)")
        }
    }

    /// Recall in pools: images equal to their graphs' vectors (one-hot rows), but for a pair swapped
    /// in each pool of 100: those four rows miss at 1 (the other's image scores 1, their own 0)
    /// and hit at 5.
    @Test func recallCountsWithinPools() {
        let n = 200, d = 200
        var g = [Float](repeating: 0, count: n * d)
        for i in 0..<n { g[i * d + i] = 1 }
        var v = g
        func swapRows(_ a: Int, _ b: Int) { for k in 0..<d { v.swapAt(a * d + k, b * d + k) } }
        swapRows(0, 1); swapRows(150, 151)
        let (r1, r5) = PooledRecall.rates(Tensor(shape: [n, d], scalars: g), Tensor(shape: [n, d], scalars: v), pool: 100)
        #expect(r1 == 196.0 / 200 && r5 == 1)
        // Graphs 3 and 4 score 0.5 with their own images and 0.9 with images 50 and 60 (which
        // still score 1 with their own graphs): two misses at 1, no miss at 5.
        v = g
        for (i, other) in [(3, 50), (4, 60)] { v[i * d + i] = 0.5; v[other * d + i] = 0.9 }
        let (s1, s5) = PooledRecall.rates(Tensor(shape: [n, d], scalars: g), Tensor(shape: [n, d], scalars: v), pool: 100)
        #expect(s1 == 198.0 / 200 && s5 == 1)
    }
}
