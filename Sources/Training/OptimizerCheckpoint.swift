import Foundation
import NN
import Tensors

/// The state every training task saves and restores the same way: the model's parameters
/// (`model.*`), the optimizer's moments by parameter name (`optimizer.*`), the run's random
/// generator, the data cursor and the step.
enum OptimizerCheckpoint {
    static func state(model: any Module, optimizer: AdamW, rng: RandomGenerator, dataIndex: Int, step: Int) -> [String: SafeTensor] {
        var state = model.stateDict(prefix: "model.")
        state.merge(optimizer.stateDict(prefix: "optimizer.")) { $1 }
        state["rng.train"] = CheckpointValue.words(rng.state)
        state["data.next_index"] = CheckpointValue.integers([dataIndex])
        state["step"] = CheckpointValue.integers([step])
        return state
    }

    /// Loads parameters and optimizer state in place; returns the generator, data cursor and step.
    static func restore(from file: SafeTensorsFile, source: String, model: any Module,
                        optimizer: AdamW) throws -> (rng: RandomGenerator, dataIndex: Int, step: Int) {
        try model.loadParameters(from: file, prefix: "model.", source: source)
        try optimizer.loadState(file.tensors, prefix: "optimizer.", source: source)
        let rng = try RandomGenerator(state: try CheckpointValue.words(file, "rng.train", source: source))
        let dataIndex = try CheckpointValue.integers(file, "data.next_index", count: 1, source: source)[0]
        let step = try CheckpointValue.integers(file, "step", count: 1, source: source)[0]
        return (rng, dataIndex, step)
    }

    /// No weight decay on biases, norm gains, embedding tables, positions, tokens and scales.
    static func decayExempt(_ name: String) -> Bool {
        name.hasSuffix(".bias") || name.contains("norm") || name.contains(".ln") || name.contains("_embed.") || name.hasSuffix(".pos")
            || name.hasSuffix("mask_token") || name.hasSuffix("logit_scale")
    }
}
