/// A sampler chosen by name, as the `sample` command's `--sampler`, `--steps` and `--eta` flags give it.
public enum SamplerKind: Equatable, Sendable, CustomStringConvertible {
    /// Ancestral DDPM; nil steps means all T.
    case ddpm(steps: Int?)
    case ddim(steps: Int, eta: Double)
    case dpmSolverPlusPlus2M(steps: Int)

    /// The names `init(name:)` accepts, in the order help text lists them.
    public static let names = ["ddpm", "ddim", "dpm++2m"]

    /// Default step counts: DDPM runs the whole chain; DDIM-50 and DPM-Solver++ 20 are the usual settings.
    public static let defaultDDIMSteps = 50
    public static let defaultDPMSolverSteps = 20

    /// Parses "ddpm", "ddim" or "dpm++2m" (any case) with optional steps and η (DDIM only, in [0, 1]).
    /// Steps must lie in 1…`trainingSteps`, the model's T; without it (before a model is loaded) in
    /// 1…`DiffusionSetup.mostTimesteps`, and `SampleSettings.check` holds them to the model's T.
    public init(name: String, steps: Int? = nil, eta: Double? = nil, trainingSteps: Int? = nil) throws {
        let key = name.lowercased()
        let most = trainingSteps ?? DiffusionSetup.mostTimesteps
        if let steps, steps < 1 || steps > most {
            throw SamplerError("--steps must lie in 1…\(most)\(trainingSteps == nil ? "" : " (the model's training timesteps)"), got \(steps)")
        }
        if let eta, key != "ddim" {
            throw SamplerError("--eta \(eta) applies to the ddim sampler only, not \(name)")
        }
        switch key {
        case "ddpm":
            self = .ddpm(steps: steps)
        case "ddim":
            let eta = eta ?? 0
            guard eta >= 0 && eta <= 1 else { throw SamplerError("--eta must lie in [0, 1], got \(eta)") }
            self = .ddim(steps: steps ?? Self.defaultDDIMSteps, eta: eta)
        case "dpm++2m", "dpmpp2m", "dpm-solver++":
            self = .dpmSolverPlusPlus2M(steps: steps ?? Self.defaultDPMSolverSteps)
        default:
            throw SamplerError("unknown sampler \"\(name)\": expected one of \(Self.names.joined(separator: ", "))")
        }
    }

    /// The sampler this names, clipping x̂_0 to [−1, 1].
    public func makeSampler() -> any Sampler {
        switch self {
        case .ddpm(let steps): DDPMSampler(steps: steps)
        case .ddim(let steps, let eta): DDIMSampler(steps: steps, eta: eta)
        case .dpmSolverPlusPlus2M(let steps): DPMSolverPlusPlus2MSampler(steps: steps)
        }
    }

    /// Short name with settings, e.g. "dpm++2m-20", "ddim-50 (η=0)", "ddpm-1000" — for logs and tables.
    public var description: String {
        switch self {
        case .ddpm(let steps): "ddpm-\(steps.map(String.init) ?? "all")"
        case .ddim(let steps, let eta): "ddim-\(steps) (η=\(eta))"
        case .dpmSolverPlusPlus2M(let steps): "dpm++2m-\(steps)"
        }
    }
}

/// A sampler name or setting that cannot be used.
public struct SamplerError: Error, CustomStringConvertible, Equatable {
    public var message: String
    /// An error with its one-line message.
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
