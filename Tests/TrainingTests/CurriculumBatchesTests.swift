import Diffusion
import Foundation
import RunConfiguration
import Testing
@testable import Training

@Suite struct CurriculumBatchesTests {
    /// The training batches obey the cap: with a curriculum the first step's scenes have at most min_objects objects.
    @Test func curriculumReachesTheTrainingBatches() throws {
        let run = TinyRun.folder("curriculum")
        let config = try TinyRun.configFile(near: run)
        defer { for u in [run, config] { try? FileManager.default.removeItem(at: u) } }
        let a = try DenoiserTrainingLaunch(config: config, encoder: nil, out: run, resume: false,
                                           overrides: ["train.steps=2", "data.min_objects=1", "data.max_objects=4", "data.curriculum_steps=100"]).prepare()
        _ = try a.task.trainStep()
        #expect(a.task.batches.renderer.maxObjects == 1)
        var replay = a.task.batches; replay.nextIndex = 0
        var uncapped = replay; uncapped.renderer.maxObjects = 4
        #expect(replay.next(a.task.recipe.batch).graphs.allSatisfy { $0.objects.count == 1 })
        // The same scene indices without the cap are not all single objects: the cap is what made them so.
        #expect(uncapped.next(a.task.recipe.batch).graphs.contains { $0.objects.count > 1 })
    }
}

@Suite struct ConfigNumberTests {
}
