import Foundation
import Hummingbird
import Logging
import ServiceLifecycle

/// Where and how `sample serve` listens.
public struct ServeOptions: Sendable {
    public var host = "127.0.0.1"
    public var port = 8080
    /// Bearer token for every `/v1` route; required on any host but loopback.
    public var token: String?
    public var limits = ServerLimits()

    public init(host: String = "127.0.0.1", port: Int = 8080, token: String? = nil) {
        self.host = host; self.port = port; self.token = token
    }

    /// Refuses settings the server must not start with: a host other than loopback without a
    /// token (anyone who can reach the port could queue work and read every result), a bad port
    /// or an empty token.
    public func check() throws {
        guard (0...65535).contains(port) else { throw ServeError("--port \(port): must lie in 0…65535 (0 = any free port)") }
        if let token, token.isEmpty || token.contains(where: { $0.isWhitespace || !$0.isASCII }) {
            throw ServeError("--token must be non-empty printable ASCII without spaces")
        }
        guard token != nil || Self.isLoopback(host) else {
            throw ServeError("--host \(host) is reachable from other machines: give --token TOKEN (clients then send \"Authorization: Bearer TOKEN\"), or bind 127.0.0.1")
        }
    }

    /// Whether `host` is only reachable from this machine.
    public static func isLoopback(_ host: String) -> Bool {
        if host == "localhost" || host == "::1" || host == "[::1]" { return true }
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { UInt8($0) != nil }
    }
}

/// A reason `sample serve` does not start, in one line.
public struct ServeError: Error, CustomStringConvertible {
    public var description: String
    public init(_ message: String) { description = message }
}

/// `sample serve`: the HTTP server over loaded models, until SIGTERM or SIGINT.
public enum GenerationServer {
    /// Serves until a signal: then stops taking work, cancels what waits and what runs (the
    /// sampler stops at its next step), closes connections and returns. `ready` gets the URL once
    /// the port is bound (the real port when `options.port` is 0).
    public static func run(models: LoadedModels, options: ServeOptions, ready: @escaping @Sendable (String) -> Void) async throws {
        try options.check()
        // Clip encodings pass through files (FFmpeg writes files); they live here only while encoded.
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("sample-serve-\(getpid())-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let store = GenerationStore(limits: options.limits)
        let queue = GenerationQueue(models: models, store: store, scratch: scratch)
        queue.start()
        let routes = APIRoutes(models: models, queue: queue, limits: options.limits, token: options.token)
        var logger = Logger(label: "sample-serve")
        logger.logLevel = .warning
        let host = options.host
        let app = Application(router: routes.router(),
                              configuration: ApplicationConfiguration(address: .hostname(host, port: options.port), serverName: nil),
                              onServerRunning: { channel in
                                  let port = channel.localAddress?.port ?? options.port
                                  ready("http://\(host.contains(":") ? "[\(host)]" : host):\(port)/")
                              },
                              logger: logger)
        // The queue is listed last so that it shuts down first (a service group stops its services in reverse order).
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: [.init(service: app), .init(service: QueueShutdownService(queue: queue))],
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}
