import Foundation

/// Everything sampling needs to know about a model besides its weights and sizes: the noise
/// schedule it was trained on (kind and T), what its network predicts, and the side of its images.
/// Training writes it into the model file (`sampling` metadata); sampling reads it back, so no
/// caller assumes a schedule or a size.
public struct DiffusionSetup: Sendable, Equatable {
    /// The forward process's ᾱ_t curve.
    public enum ScheduleKind: String, Sendable, CaseIterable { case cosine }
    /// What the network outputs for x_t.
    public enum Prediction: String, Sendable, CaseIterable { case epsilon }

    public var schedule: ScheduleKind
    /// Training timesteps T.
    public var timesteps: Int
    public var prediction: Prediction
    /// Side of the square images, in pixels.
    public var imageSize: Int

    public init(schedule: ScheduleKind = .cosine, timesteps: Int = 1000, prediction: Prediction = .epsilon, imageSize: Int) {
        self.schedule = schedule; self.timesteps = timesteps; self.prediction = prediction; self.imageSize = imageSize
    }

    /// The noise schedule: the one place in the project that builds it.
    public var noiseSchedule: NoiseSchedule {
        switch schedule {
        case .cosine: NoiseSchedule.cosine(steps: timesteps)
        }
    }

    /// `{"schedule": "cosine", "timesteps": 1000, "prediction": "epsilon", "image_size": 32}`.
    public var json: String {
        "{\"schedule\": \"\(schedule.rawValue)\", \"timesteps\": \(timesteps), \"prediction\": \"\(prediction.rawValue)\", \"image_size\": \(imageSize)}"
    }

    /// The largest image side sampling accepts (a 4096² image of 3 channels is 200 MB a tensor).
    public static let largestImageSize = 4096
    /// The most training timesteps a schedule may have.
    public static let mostTimesteps = 100_000

    /// Parses `json`; `source` names it in errors.
    public init(json text: String, source: String) throws {
        func fail(_ field: String, _ why: String) -> ConfigurationError { ConfigurationError(source: source, key: "sampling.\(field)", message: why) }
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
            throw ConfigurationError(source: source, key: "sampling", message: "expected a JSON object")
        }
        let known: Set<String> = ["schedule", "timesteps", "prediction", "image_size"]
        if let unknown = object.keys.sorted().first(where: { !known.contains($0) }) { throw fail(unknown, "unknown key") }
        guard let name = object["schedule"] as? String, let kind = ScheduleKind(rawValue: name) else {
            throw fail("schedule", "expected one of \(ScheduleKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard let prediction = object["prediction"] as? String, let p = Prediction(rawValue: prediction) else {
            throw fail("prediction", "expected one of \(Prediction.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard let t = object["timesteps"] as? Int, (1...Self.mostTimesteps).contains(t) else {
            throw fail("timesteps", "expected an integer in 1…\(Self.mostTimesteps)")
        }
        guard let size = object["image_size"] as? Int, (1...Self.largestImageSize).contains(size) else {
            throw fail("image_size", "expected an integer in 1…\(Self.largestImageSize)")
        }
        self.init(schedule: kind, timesteps: t, prediction: p, imageSize: size)
    }

    /// What a model file written before the `sampling` metadata existed (versions ≤ 9) implies: the
    /// cosine schedule over 1000 steps, ε-prediction — the only process training ever used — and
    /// the recipe's `data.size`, or 32 when the recipe has none.
    public static func implied(byRecipe recipe: String?) -> DiffusionSetup {
        var size = 32
        if let recipe, let object = try? JSONSerialization.jsonObject(with: Data(recipe.utf8)) as? [String: Any],
           let data = object["data"] as? [String: Any], let s = data["size"] as? Int, (1...largestImageSize).contains(s) {
            size = s
        }
        return DiffusionSetup(imageSize: size)
    }
}
