import Foundation
import Hummingbird
import NIOCore

/// The routes of `sample serve`: the page and its files, `openapi.yaml`, and the `/v1` API
/// (docs/server.md, Sources/Server/Resources/openapi.yaml). Every handler answers a client's
/// mistake with a 4xx `APIError`; nothing a client sends reaches a 5xx.
public struct APIRoutes: Sendable {
    public let models: LoadedModels
    public let queue: GenerationQueue
    public let limits: ServerLimits
    /// The bearer token every `/v1` route needs; nil = none.
    public let token: String?

    public init(models: LoadedModels, queue: GenerationQueue, limits: ServerLimits, token: String?) {
        self.models = models; self.queue = queue; self.limits = limits; self.token = token
    }

    var store: GenerationStore { queue.store }

    /// The router with every route.
    public func router() -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.get("/") { _, _ in APIResponses.bytes(EmbeddedFiles.page, contentType: "text/html; charset=utf-8", cache: "no-cache") }
        router.get("/page.js") { _, _ in APIResponses.bytes(EmbeddedFiles.script, contentType: "text/javascript; charset=utf-8", cache: "no-cache") }
        router.get("/page.css") { _, _ in APIResponses.bytes(EmbeddedFiles.style, contentType: "text/css; charset=utf-8", cache: "no-cache") }
        router.get("/openapi.yaml") { _, _ in APIResponses.bytes(EmbeddedFiles.openAPI, contentType: "application/yaml; charset=utf-8", cache: "no-cache") }

        let api = router.group("v1")
        if let token { api.add(middleware: BearerTokenMiddleware<BasicRequestContext>(token: token)) }
        let description = jsonBytes(ModelDescription.json(models: models, limits: limits))
        api.get("model") { _, _ in
            APIResponses.bytes(description, contentType: "application/json; charset=utf-8")
        }
        api.post("generations") { request, _ in await self.create(request) }
        api.get("generations/{id}") { _, context in
            self.found(context) { APIResponses.json($0.json) }
        }
        api.delete("generations/{id}") { _, context in
            guard let id = context.parameters.get("id"), self.queue.cancel(id) else { return self.missing(context) }
            return self.found(context) { APIResponses.json($0.json) }
        }
        api.get("generations/{id}/events") { _, context in self.events(context) }
        api.get("generations/{id}/images/{k}.png") { _, context in
            self.found(context) { generation in
                guard let k = context.parameters.get("k").flatMap(Int.init), generation.images.indices.contains(k) else {
                    return self.noFile(generation, what: "image", index: context.parameters.get("k"), count: generation.images.count)
                }
                return APIResponses.bytes(generation.images[k], contentType: "image/png", cache: "private, max-age=3600",
                                          download: "\(generation.id)-\(k).png")
            }
        }
        for ext in ["mp4", "gif"] {
            api.get("generations/{id}/videos/{k}.\(ext)") { _, context in
                self.found(context) { generation in
                    guard let k = context.parameters.get("k").flatMap(Int.init), generation.clips.indices.contains(k) else {
                        return self.noFile(generation, what: "video", index: context.parameters.get("k"), count: generation.clips.count)
                    }
                    let clip = generation.clips[k]
                    return APIResponses.bytes(ext == "mp4" ? clip.mp4 : clip.gif, contentType: ext == "mp4" ? "video/mp4" : "image/gif",
                                              cache: "private, max-age=3600", download: "\(generation.id)-\(k).\(ext)")
                }
            }
        }
        return router
    }

    /// `POST /v1/generations`: reads the body up to the limit, checks it, queues it: 202 with the id.
    func create(_ request: Request) async -> Response {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limits.bodyBytes {
            return APIResponses.error(tooLarge)
        }
        let body: ByteBuffer
        do { body = try await request.body.collect(upTo: limits.bodyBytes) } catch is NIOTooManyBytesError {
            return APIResponses.error(tooLarge)
        } catch {
            return APIResponses.error(.badRequest("the request body could not be read: \(error)"))
        }
        do {
            let parsed = try GenerationRequest.parse(Array(buffer: body), models: models, limits: limits)
            let id = try queue.submit(parsed)
            var headers: HTTPFields = [:]
            headers[.location] = "/v1/generations/\(id)"
            guard case .found(let generation) = store.lookup(id) else { return APIResponses.json(["id": id], status: .accepted, headers: headers) }
            var json = generation.json
            json["id"] = id
            return APIResponses.json(json, status: .accepted, headers: headers)
        } catch {
            return APIResponses.error(error)
        }
    }

    var tooLarge: APIError {
        APIError(.contentTooLarge, "the request body is over the limit of \(limits.bodyBytes) bytes")
    }

    /// `GET /v1/generations/{id}/events`: Server-Sent Events, one `data:` line of status JSON per
    /// change (each denoising step), ending after done, failed or cancelled.
    func events(_ context: BasicRequestContext) -> Response {
        guard let id = context.parameters.get("id"), let stream = store.events(of: id) else { return missing(context) }
        let headers: HTTPFields = [.contentType: "text/event-stream", .cacheControl: "no-store"]
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            for await event in stream {
                try await writer.write(ByteBuffer(bytes: Array("data: ".utf8) + event.json + Array("\n\n".utf8)))
            }
            try await writer.finish(nil)
        })
    }

    /// Runs `body` on the generation the path names, or answers 404 / 410.
    func found(_ context: BasicRequestContext, _ body: (Generation) -> Response) -> Response {
        guard let id = context.parameters.get("id"), case .found(let generation) = store.lookup(id) else { return missing(context) }
        return body(generation)
    }

    /// 410 for a generation the store dropped, 404 for one it never had.
    func missing(_ context: BasicRequestContext) -> Response {
        let id = context.parameters.get("id") ?? ""
        if case .dropped = store.lookup(id) {
            return APIResponses.error(APIError(.gone, "generation \(id) was dropped: the server keeps the newest \(limits.storedGenerations) generations (and at most \(limits.storedBytes / (1024 * 1024)) MB of results)"))
        }
        return APIResponses.error(APIError(.notFound, "no generation \(id)"))
    }

    /// 404 for a file index that does not exist (yet).
    func noFile(_ generation: Generation, what: String, index: String?, count: Int) -> Response {
        let when = generation.status == .done ? "it has \(count) (0…\(count - 1))" : "it is \(generation.status.rawValue)"
        return APIResponses.error(APIError(.notFound, "generation \(generation.id) has no \(what) \(index ?? ""): \(when)"))
    }
}
