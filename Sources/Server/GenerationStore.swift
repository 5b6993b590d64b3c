import Foundation
import Synchronization

/// The generations the server knows, bounded: when there are more than `limits.storedGenerations`
/// or their files pass `limits.storedBytes`, the oldest finished ones are dropped, and asking for
/// one of those says so (410) instead of pretending it never existed (404).
public final class GenerationStore: Sendable {
    /// What a lookup found.
    public enum Lookup: Sendable {
        case found(Generation)
        case dropped
        case unknown
    }

    private struct State {
        var generations: [String: Generation] = [:]
        /// Ids in the order they came, for dropping the oldest first.
        var order: [String] = []
        var bytes = 0
        /// Ids dropped, remembered up to `droppedRemembered`.
        var dropped = Set<String>()
        var droppedOrder: [String] = []
        var subscribers: [String: [UUID: AsyncStream<ServerEvent>.Continuation]] = [:]
    }

    private let state = Mutex(State())
    public let limits: ServerLimits
    /// How many dropped ids are remembered for 410; older ones become unknown (404).
    static let droppedRemembered = 100_000

    public init(limits: ServerLimits) { self.limits = limits }

    /// Adds a new generation.
    func insert(_ generation: Generation) {
        state.withLock { state in
            state.generations[generation.id] = generation
            state.order.append(generation.id)
            Self.dropOldest(&state, limits: limits)
        }
    }

    /// The generation with `id`.
    public func lookup(_ id: String) -> Lookup {
        state.withLock { state in
            if let generation = state.generations[id] { return .found(generation) }
            return state.dropped.contains(id) ? .dropped : .unknown
        }
    }

    /// Whether DELETE (or shutdown) asked the generation to stop.
    func cancelRequested(_ id: String) -> Bool { state.withLock { $0.generations[id]?.cancelRequested ?? true } }

    /// Changes a generation and tells its subscribers; a final state ends their streams.
    func update(_ id: String, _ change: (inout Generation) -> Void) {
        // Events are yielded under the lock, so subscribers see states in order and the final one
        // last; streams are finished after it, because finishing runs `onTermination`, which locks.
        let ended = state.withLock { state -> [AsyncStream<ServerEvent>.Continuation] in
            guard var generation = state.generations[id] else { return [] }
            let before = generation.bytes
            change(&generation)
            state.generations[id] = generation
            state.bytes += generation.bytes - before
            let event = ServerEvent(json: jsonBytes(generation.json), isFinal: generation.status.isFinal)
            let subscribers = Array((state.subscribers[id] ?? [:]).values)
            for continuation in subscribers { continuation.yield(event) }
            guard event.isFinal else { return [] }
            state.subscribers[id] = nil
            Self.dropOldest(&state, limits: limits)
            return subscribers
        }
        for continuation in ended { continuation.finish() }
    }

    /// The states of a generation from now on: the current one first, the final one last; nil if there is no such generation.
    public func events(of id: String) -> AsyncStream<ServerEvent>? {
        // Only the newest state matters to a subscriber, and the final state is always the newest.
        let (stream, continuation) = AsyncStream<ServerEvent>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let key = UUID()
        let found = state.withLock { state -> Bool in
            guard let generation = state.generations[id] else { return false }
            let event = ServerEvent(json: jsonBytes(generation.json), isFinal: generation.status.isFinal)
            continuation.yield(event)
            if event.isFinal { continuation.finish() } else { state.subscribers[id, default: [:]][key] = continuation }
            return true
        }
        guard found else { return nil }
        continuation.onTermination = { [weak self] _ in
            self?.state.withLock { _ = $0.subscribers[id]?.removeValue(forKey: key) }
        }
        return stream
    }

    /// Generations held and bytes of their files (for tests and the load check).
    public var usage: (generations: Int, bytes: Int) { state.withLock { ($0.generations.count, $0.bytes) } }

    /// Drops the oldest finished generations while over either bound.
    private static func dropOldest(_ state: inout State, limits: ServerLimits) {
        var index = 0
        while (state.generations.count > limits.storedGenerations || state.bytes > limits.storedBytes) && index < state.order.count {
            let id = state.order[index]
            guard let generation = state.generations[id], generation.status.isFinal else { index += 1; continue }
            state.order.remove(at: index)
            state.generations[id] = nil
            state.bytes -= generation.bytes
            state.dropped.insert(id)
            state.droppedOrder.append(id)
            if state.droppedOrder.count > droppedRemembered { state.dropped.remove(state.droppedOrder.removeFirst()) }
        }
    }
}
