import Tensors
extension NoiseSchedule {
    /// `count` timesteps evenly spaced with "trailing" spacing, noisiest first:
    /// t_k = round(T − k·T/count) − 1 for k = 0..<count, e.g. 999, 949, …, 49 for T = 1000 and 20.
    ///
    /// Trailing (Lin et al., arXiv 2305.08891, Table 2; diffusers' `timestep_spacing="trailing"`)
    /// always starts at T − 1, where ᾱ ≈ 2·10⁻⁹ under the cosine schedule: the initial Gaussian
    /// noise is then what the chain expects there. "Leading" spacing (0, T/N, …, reversed) starts at
    /// T − T/N, where an image still shows through (√ᾱ ≈ 0.08 at t = 950), so pure noise is the
    /// wrong input. With count = T this is every timestep, T − 1 down to 0.
    public func evenlySpacedTimesteps(count: Int) -> [Int] {
        require(count >= 1 && count <= steps, "a sampler takes 1…\(steps) steps, not \(count)")
        // Spacing T/count ≥ 1 keeps the rounded values distinct.
        let stride = Double(steps) / Double(count)
        return (0..<count).map { k in Int((Double(steps) - Double(k) * stride).rounded()) - 1 }
    }
}
