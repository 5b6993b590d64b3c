import ServiceLifecycle

/// Ends the queue when the server stops (SIGTERM, SIGINT): it is listed after the HTTP server in
/// the service group, so it shuts down first — waiting and running generations are cancelled,
/// which ends every open event stream, and the HTTP server then has no request left to wait for.
struct QueueShutdownService: Service {
    let queue: GenerationQueue

    func run() async throws {
        try? await gracefulShutdown()
        await queue.shutdown()
    }
}
