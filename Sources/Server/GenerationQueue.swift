import Foundation
import HTTPTypes
import Pipeline

/// Generations in first-come order, drawn one at a time on one worker thread: the pipeline's
/// kernels already use every core, so two at once would only make both slower. The queue is
/// bounded (429 with Retry-After past `limits.queuedGenerations`), and DELETE or shutdown cancel
/// a waiting generation at once and a running one at its sampler's next step.
public final class GenerationQueue: @unchecked Sendable {
    // @unchecked: every stored var below is read and written only while `condition` is locked.
    public let store: GenerationStore
    let drawing: GenerationDrawing
    private let limits: ServerLimits
    private let condition = NSCondition()
    private var waiting: [String] = []
    private var running: String?
    private var stopping = false
    private var workerExited = false
    private var started = false
    /// Seconds per picture, averaged over recent generations, for Retry-After.
    private var secondsPerPicture = 1.0

    public init(models: LoadedModels, store: GenerationStore, scratch: URL) {
        self.store = store
        limits = store.limits
        drawing = GenerationDrawing(models: models, scratch: scratch)
    }

    /// Starts the worker thread (once).
    public func start() {
        condition.lock()
        defer { condition.unlock() }
        guard !started else { return }
        started = true
        let thread = Thread { [self] in work() }
        thread.name = "sample-serve-generations"
        // Sampling runs deep call chains over large tensors; the main thread's size, not a secondary thread's 512 KB.
        thread.stackSize = 16 << 20
        thread.start()
    }

    /// Queues a generation and returns its id; refuses with 429 when the queue is full or the server is stopping.
    public func submit(_ request: GenerationRequest) throws(APIError) -> String {
        condition.lock()
        defer { condition.unlock() }
        guard !stopping else { throw APIError(.serviceUnavailable, "the server is shutting down") }
        guard waiting.count < limits.queuedGenerations else {
            var error = APIError(.tooManyRequests, "the queue is full (\(limits.queuedGenerations) generations waiting, the server's limit); try again later")
            error.headers[.retryAfter] = String(retryAfterSeconds())
            throw error
        }
        let id = UUID().uuidString.lowercased()
        store.insert(Generation(id: id, request: request))
        waiting.append(id)
        updatePositions()
        condition.signal()
        return id
    }

    /// Cancels a waiting generation now, or asks a running one to stop at its next step. Returns
    /// false if there is no such generation in the store.
    @discardableResult
    public func cancel(_ id: String) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        if let index = waiting.firstIndex(of: id) {
            waiting.remove(at: index)
            store.update(id) { $0.status = .cancelled; $0.progress.position = nil; $0.finished = Date() }
            updatePositions()
            return true
        }
        guard case .found = store.lookup(id) else { return false }
        store.update(id) { if !$0.status.isFinal { $0.cancelRequested = true } }
        return true
    }

    /// Stops taking work, cancels everything waiting and the running generation, and waits (up to
    /// `timeout` seconds) for the worker to leave the sampler.
    public func shutdown(timeout: Double = 4) async {
        guard beginShutdown() else { return }
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline && !workerHasExited() {
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Marks the queue stopping and cancels its generations; returns whether a worker runs.
    private func beginShutdown() -> Bool {
        condition.lock()
        defer { condition.unlock() }
        stopping = true
        for id in waiting { store.update(id) { $0.status = .cancelled; $0.progress.position = nil; $0.finished = Date() } }
        waiting.removeAll()
        if let running { store.update(running) { $0.cancelRequested = true } }
        condition.broadcast()
        return started
    }

    private func workerHasExited() -> Bool {
        condition.lock()
        defer { condition.unlock() }
        return workerExited
    }

    /// Whether the queue has stopped taking work.
    public var isStopping: Bool {
        condition.lock()
        defer { condition.unlock() }
        return stopping
    }

    /// A Retry-After for a full queue: the pictures waiting times the recent seconds per picture.
    private func retryAfterSeconds() -> Int {
        var pictures = 0
        for id in waiting { if case .found(let g) = store.lookup(id) { pictures += g.request.pictures } }
        let seconds = Double(pictures) * secondsPerPicture / Double(max(waiting.count, 1))
        return max(1, min(3600, Int(seconds.rounded(.up))))
    }

    /// Tells each waiting generation how many are ahead of it. Called with `condition` locked.
    private func updatePositions() {
        for (position, id) in waiting.enumerated() { store.update(id) { $0.progress.position = position } }
    }

    private func work() {
        while true {
            condition.lock()
            while waiting.isEmpty && !stopping { condition.wait() }
            if stopping {
                workerExited = true
                condition.unlock()
                return
            }
            let id = waiting.removeFirst()
            running = id
            updatePositions()
            condition.unlock()
            run(id)
            condition.lock()
            running = nil
            condition.unlock()
        }
    }

    /// Draws one generation and records how it ended.
    private func run(_ id: String) {
        guard case .found(let generation) = store.lookup(id) else { return }
        let start = Date()
        store.update(id) { $0.status = .running; $0.progress.position = nil; $0.started = start }
        let store = store
        do {
            let result = try drawing.draw(id, generation.request, report: { progress in
                store.update(id) { $0.progress = progress }
            }, cancelled: { [self] in store.cancelRequested(id) || self.isStopping })
            store.update(id) {
                $0.images = result.images; $0.clips = result.clips
                $0.progress.done = $0.progress.total; $0.progress.fraction = 1
                $0.status = .done; $0.finished = Date()
            }
            let seconds = Date().timeIntervalSince(start) / Double(max(generation.request.pictures, 1))
            condition.lock()
            secondsPerPicture = 0.8 * secondsPerPicture + 0.2 * seconds
            condition.unlock()
        } catch is CancellationError {
            store.update(id) { $0.status = .cancelled; $0.finished = Date() }
        } catch {
            store.update(id) { $0.status = .failed; $0.failure = "\(error)"; $0.finished = Date() }
        }
    }
}
