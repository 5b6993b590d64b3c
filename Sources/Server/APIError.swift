import Foundation
import HTTPTypes

/// A refusal the API sends as `{"error": {"message": …, "field": …}}`: the client's request was
/// wrong (4xx), so the client is told what and where, never a bare 5xx.
public struct APIError: Error, Sendable, Equatable, CustomStringConvertible {
    public var status: HTTPResponse.Status
    public var message: String
    /// Where in the request body the problem is (`graph.objects[0]`, `steps`), when it is in one field.
    public var field: String?
    /// Extra response headers (`Retry-After` for 429, `WWW-Authenticate` for 401).
    public var headers: HTTPFields = [:]

    public init(_ status: HTTPResponse.Status, _ message: String, field: String? = nil) {
        self.status = status; self.message = message; self.field = field
    }

    public var description: String { (field.map { "\($0): " } ?? "") + message }

    /// The JSON body.
    public var json: [String: Any] {
        ["error": ["message": message, "field": field.map { $0 as Any } ?? NSNull()] as [String: Any]]
    }

    static func badRequest(_ message: String, field: String? = nil) -> APIError { APIError(.badRequest, message, field: field) }
    static func tooMuchWork(_ message: String, field: String? = nil) -> APIError { APIError(.unprocessableContent, message, field: field) }
}
