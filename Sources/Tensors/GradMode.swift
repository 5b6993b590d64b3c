/// Whether ops record the graph for `backward()`. Inference runs inside `GradMode.disabled { … }`
/// and then keeps no activations alive.
public enum GradMode {
    @TaskLocal public static var isEnabled = true

    /// Runs `body` without recording gradients.
    public static func disabled<R>(_ body: () throws -> R) rethrows -> R {
        try $isEnabled.withValue(false) { try body() }
    }
}
