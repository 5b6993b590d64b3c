import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import Server

/// `GET /v1/model`, the embedded files and openapi.yaml against the router.
@Suite struct DescriptionTests {
    @Test func theModelNamesItsVocabularyLimitsDefaultsAndProvenance() async throws {
        let models = TinyModels.models(video: true, metadata: ["provenance": "made for a test", "steps": "12",
                                                               "faithfulness": #"{"graph_accuracy": 0.72}"#])
        let server = try TestServer(models: models, start: false)
        try await server.app.test(.router) { client in
            try await client.execute(uri: "/v1/model", method: .get) { response in
                #expect(response.status == .ok)
                let json = Body.object(response.body)
                #expect(json["objects"] as? [String] == ["red circle", "blue square", "green triangle"])
                #expect(json["predicates"] as? [String] == ["left of", "right of", "above"])
                let limits = json["limits"] as? [String: Any] ?? [:]
                #expect(limits["objects"] as? Int == 6 && limits["triples"] as? Int == 6 && limits["steps"] as? Int == 1000)
                #expect(limits["count"] as? Int == 64 && limits["frames"] as? Int == 4)
                #expect((limits["size"] as? [String: Int]) == ["min": 16, "max": 4096, "multiple_of": 16])
                let defaults = json["defaults"] as? [String: Any] ?? [:]
                #expect(defaults["sampler"] as? String == "dpm++2m" && defaults["guidance"] as? Double == 5 && defaults["seed"] as? Int == 0)
                let image = json["image_model"] as? [String: Any] ?? [:]
                #expect(image["provenance"] as? String == "made for a test" && image["steps_trained"] as? Int == 12)
                #expect((image["faithfulness"] as? [String: Any])?["graph_accuracy"] as? Double == 0.72)
                let video = json["video_model"] as? [String: Any] ?? [:]
                #expect(video["faithfulness"] is NSNull && video["frames"] as? Int == 4)
            }
        }
        await server.stop()
    }

    @Test func thePageAndItsFilesAreServedFromTheBinary() async throws {
        let server = try TestServer(start: false)
        try await server.app.test(.router) { client in
            for (uri, type, marker) in [("/", "text/html", "id=\"generate\""), ("/page.js", "text/javascript", "/v1/generations"),
                                        ("/page.css", "text/css", "image-rendering: pixelated"), ("/openapi.yaml", "application/yaml", "openapi: 3")] {
                try await client.execute(uri: uri, method: .get) { response in
                    #expect(response.status == .ok)
                    #expect(response.headers[.contentType]?.hasPrefix(type) == true)
                    #expect(String(buffer: response.body).contains(marker), "\(uri)")
                }
            }
        }
        await server.stop()
    }

    /// Every route the router has is in openapi.yaml with its method, and every path there is routed.
    @Test func openAPIDescribesExactlyTheRoutes() throws {
        let server = try TestServer(start: false)
        let routed = Set(server.routes.router().routes.map { "\($0.method.rawValue.lowercased()) \($0.path)" })
        var described = Set<String>()
        var path: String?
        for line in String(decoding: EmbeddedFiles.openAPI, as: UTF8.self).split(separator: "\n") {
            if line.hasPrefix("  /") { path = String(line.dropFirst(2).dropLast()) }
            else if !line.hasPrefix(" ") { path = nil }
            else if let path, line.hasPrefix("    "), !line.hasPrefix("     "),
                    let method = ["get", "post", "delete", "put", "patch"].first(where: { line == "    \($0):" }) {
                described.insert("\(method) \(path)")
            }
        }
        #expect(routed.count >= 11)
        #expect(routed == described, "routed but not described: \(routed.subtracting(described)); described but not routed: \(described.subtracting(routed))")
    }

    @Test func anyHostButLoopbackNeedsAToken() throws {
        for host in ["127.0.0.1", "localhost", "::1", "127.1.2.3"] { try ServeOptions(host: host).check() }
        for host in ["0.0.0.0", "192.168.1.5", "::", "example.com", "127.0.0.1.evil"] {
            #expect(throws: ServeError.self) { try ServeOptions(host: host).check() }
            #expect("\((try? ServeOptions(host: host).check()).map { "ok" } ?? "refused")" == "refused")
            try ServeOptions(host: host, token: "t0ken").check()
        }
        #expect(throws: ServeError.self) { try ServeOptions(token: "").check() }
        #expect(throws: ServeError.self) { try ServeOptions(port: 70000).check() }
    }
}
