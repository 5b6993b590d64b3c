import Pipeline

/// The bounds a server adds to `SampleLimits`: they keep one request, the queue and the results
/// in memory to sizes a server can hold, and `GET /v1/model` reports them.
public struct ServerLimits: Sendable, Equatable {
    /// Largest request body; more is refused with 413 before it is read whole.
    public var bodyBytes = 256 * 1024
    /// Generations waiting behind the running one; more get 429.
    public var queuedGenerations = 32
    /// Finished generations kept for download; the oldest go first.
    public var storedGenerations = 256
    /// Bytes of PNG / MP4 / GIF kept in memory over all stored generations; the oldest go first.
    public var storedBytes = 512 * 1024 * 1024
    /// Images (or clips) in one generation: far below `SampleLimits.mostImages`, so one request
    /// cannot hold the single sampler for hours while everyone else waits.
    public var imagesPerGeneration = 64
    /// Pixels drawn per generation (count × frames × size²): 4096² is one image at the largest
    /// size, or 64 images of 512², so the results of one generation stay within ~50 MB.
    public var pixelsPerGeneration = SampleLimits.largestSize * SampleLimits.largestSize

    public init() {}
}
