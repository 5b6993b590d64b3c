import Foundation
import Hummingbird
import HummingbirdTesting
import Pipeline
import SceneGraphs
import Testing
@testable import Server

/// One test per way the API refuses a request: each is a 4xx with `{"error": {"message", "field"}}`.
@Suite struct ErrorClassTests {
    static let graph = #"{"objects": ["red circle", "blue square"], "relationships": [[0, "left of", 1]]}"#

    /// A misspelt object gets the CLI validator's message, at the field's path in the body.
    @Test func badGraphIs400WithTheValidatorsMessageAndField() async throws {
        let server = try TestServer(start: false)
        try await server.app.test(.router) { client in
            try await client.execute(uri: "/v1/generations", method: .post,
                                     body: Body.buffer(#"{"graph": {"objects": ["blue square", "red circel"]}}"#)) { response in
                #expect(response.status == .badRequest)
                let error = Body.error(response.body)
                #expect(error.field == "graph.objects[1]")
                #expect(error.message == #"unknown object "red circel"; nearest: "red circle", "green triangle", "blue square""#)
                // The same text `sample --graph g.json` prints after "g.json: objects[1]: ".
                var expected: String?
                do {
                    try server.models.image.validator.validate(SceneGraph(objects: ["blue square", "red circel"], relationships: []), source: "g.json")
                } catch let e as SceneGraphError { expected = e.message }
                #expect(error.message == expected)
            }
            let cases: [(String, String?)] = [
                (#"{"graph": {"objects": ["red circle", "blue square"], "relationships": [[0, "left off", 1]]}}"#, "graph.relationships[0][1]"),
                (#"{"graph": {"objects": ["red circle"], "relationships": [[0, "left of", 3]]}}"#, "graph.relationships[0][2]"),
                (#"{"graph": {"objects": "red circle"}}"#, "graph.objects"),
                (#"{"graph": {}}"#, "graph.objects"),
                (#"{"frames": [], "graph": {"objects": ["red circle"]}}"#, "frames"),
                (#"{"count": 2}"#, "graph"),
                (#"{"graph": \#(Self.graph), "steps": 2.5}"#, "steps"),
                (#"{"graph": \#(Self.graph), "count": true}"#, "count"),
                (#"{"graph": \#(Self.graph), "count": 0}"#, "count"),
                (#"{"graph": \#(Self.graph), "sampler": "euler"}"#, "sampler"),
                (#"{"graph": \#(Self.graph), "guidance": 101}"#, "guidance"),
                (#"{"graph": \#(Self.graph), "guidance_cutoff": 1.5}"#, "guidance_cutoff"),
                (#"{"graph": \#(Self.graph), "relation_guidance": -1}"#, "relation_guidance"),
                (#"{"graph": \#(Self.graph), "object_guidance": 1e6}"#, "object_guidance"),
                (#"{"graph": \#(Self.graph), "size": 20}"#, "size"),
                (#"{"graph": \#(Self.graph), "seed": -1}"#, "seed"),
                (#"{"graph": \#(Self.graph), "best_of": 17}"#, "best_of"),
                (#"{"graph": \#(Self.graph), "best_of": 2}"#, "best_of"),
                (#"{"graph": \#(Self.graph), "colour": 1}"#, "colour"),
                (#"{"graph": "#, nil),
                (#"[1, 2]"#, nil),
            ]
            for (body, field) in cases {
                try await client.execute(uri: "/v1/generations", method: .post, body: Body.buffer(body)) { response in
                    #expect(response.status == .badRequest, "\(body)")
                    let error = Body.error(response.body)
                    #expect(error.field == field, "\(body): \(error.message)")
                    #expect(!error.message.isEmpty)
                }
            }
        }
        await server.stop()
    }

    @Test func aMissingOrWrongTokenIs401AndThePageStaysOpen() async throws {
        let server = try TestServer(token: "s3cret", start: false)
        try await server.app.test(.router) { client in
            for headers: HTTPFields in [[:], [.authorization: "Bearer wrong"], [.authorization: "s3cret"], [.authorization: "Bearer s3cre"]] {
                try await client.execute(uri: "/v1/model", method: .get, headers: headers) { response in
                    #expect(response.status == .unauthorized)
                    #expect(response.headers[.wwwAuthenticate] == "Bearer")
                    #expect(Body.error(response.body).message.contains("bearer token"))
                }
            }
            try await client.execute(uri: "/v1/generations", method: .post, body: Body.buffer(Self.graph)) { #expect($0.status == .unauthorized) }
            try await client.execute(uri: "/v1/generations/x", method: .get) { #expect($0.status == .unauthorized) }
            try await client.execute(uri: "/v1/model", method: .get, headers: [.authorization: "Bearer s3cret"]) { #expect($0.status == .ok) }
            try await client.execute(uri: "/", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/openapi.yaml", method: .get) { #expect($0.status == .ok) }
        }
        await server.stop()
    }

    @Test func anUnknownGenerationIs404AndADroppedOneIs410() async throws {
        var limits = ServerLimits()
        limits.storedGenerations = 1
        let server = try TestServer(limits: limits)
        try await server.app.test(.router) { client in
            for uri in ["/v1/generations/nope", "/v1/generations/nope/events", "/v1/generations/nope/images/0.png"] {
                try await client.execute(uri: uri, method: .get) { response in
                    #expect(response.status == .notFound, "\(uri)")
                    #expect(Body.error(response.body).message == "no generation nope")
                }
            }
            try await client.execute(uri: "/v1/generations/nope", method: .delete) { #expect($0.status == .notFound) }
            let body = #"{"graph": \#(Self.graph), "sampler": "ddim", "steps": 1}"#
            let first = try await client.post(body) { Body.object($0.body)["id"] as? String ?? "" }
            #expect(try await client.waitUntilFinal(first)["status"] as? String == "done")
            try await client.execute(uri: "/v1/generations/\(first)/images/1.png", method: .get) { response in
                #expect(response.status == .notFound)
                #expect(Body.error(response.body).message.contains("it has 1 (0…0)"))
            }
            let second = try await client.post(body) { Body.object($0.body)["id"] as? String ?? "" }
            #expect(try await client.waitUntilFinal(second)["status"] as? String == "done")
            try await client.execute(uri: "/v1/generations/\(first)", method: .get) { response in
                #expect(response.status == .gone)
                #expect(Body.error(response.body).message.contains("keeps the newest 1 generations"))
            }
            try await client.execute(uri: "/v1/generations/\(second)/images/0.png", method: .get) { #expect($0.status == .ok) }
        }
        await server.stop()
    }

    @Test func aBodyOverTheLimitIs413NamingIt() async throws {
        var limits = ServerLimits()
        limits.bodyBytes = 1000
        let server = try TestServer(limits: limits, start: false)
        try await server.app.test(.router) { client in
            let padding = String(repeating: " ", count: 1001)
            try await client.execute(uri: "/v1/generations", method: .post, body: Body.buffer(Self.graph + padding)) { response in
                #expect(response.status == .contentTooLarge)
                #expect(Body.error(response.body).message == "the request body is over the limit of 1000 bytes")
            }
        }
        await server.stop()
    }

    @Test func tooMuchWorkIs422NamingTheLimit() async throws {
        var limits = ServerLimits()
        limits.imagesPerGeneration = 8
        let server = try TestServer(limits: limits, start: false)
        try await server.app.test(.router) { client in
            let cases: [(String, String, String)] = [
                (#""count": 9"#, "count", "count 9: a generation draws at most 8"),
                (#""steps": 1001"#, "steps", "steps must lie in 1…1000 (the model's training timesteps), got 1001"),
                (#""size": 8192"#, "size", "size 8192: the largest size is 4096"),
                (#""count": 8, "size": 2048"#, "size", "8 pictures of 2048×2048 pixels: a generation draws at most 16777216 pixels"),
            ]
            for (extra, field, message) in cases {
                try await client.post(#"{"graph": \#(Self.graph), \#(extra)}"#) { response in
                    #expect(response.status == .unprocessableContent, "\(extra)")
                    let error = Body.error(response.body)
                    #expect(error.field == field)
                    #expect(error.message.hasPrefix(message), "\(error.message)")
                }
            }
            // Frames without a video model: refused, saying what to do.
            try await client.post(#"{"frames": [\#(Self.graph), \#(Self.graph)]}"#) { response in
                #expect(response.status == .unprocessableContent)
                #expect(Body.error(response.body).message.contains("no video model is loaded"))
                #expect(Body.error(response.body).field == "frames")
            }
        }
        await server.stop()
    }

    @Test func aFullQueueIs429WithRetryAfter() async throws {
        var limits = ServerLimits()
        limits.queuedGenerations = 2
        let server = try TestServer(limits: limits, start: false)
        try await server.app.test(.router) { client in
            for position in 0..<2 {
                try await client.post(#"{"graph": \#(Self.graph)}"#) { response in
                    #expect(response.status == .accepted)
                    let progress = Body.object(response.body)["progress"] as? [String: Any]
                    #expect(progress?["position"] as? Int == position)
                    #expect(Body.object(response.body)["status"] as? String == "queued")
                }
            }
            try await client.post(#"{"graph": \#(Self.graph)}"#) { response in
                #expect(response.status == .tooManyRequests)
                #expect(response.headers[.retryAfter].flatMap(Int.init).map { $0 >= 1 } == true)
                #expect(Body.error(response.body).message.contains("the queue is full (2 generations waiting"))
            }
        }
        await server.stop()
    }
}
