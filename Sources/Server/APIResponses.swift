import Foundation
import Hummingbird

/// The responses the API sends, each built in one place: JSON, errors, files.
enum APIResponses {
    static func json(_ object: [String: Any], status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var fields = headers
        fields[.contentType] = "application/json; charset=utf-8"
        fields[.cacheControl] = "no-store"
        return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: jsonBytes(object))))
    }

    static func error(_ error: APIError) -> Response { json(error.json, status: error.status, headers: error.headers) }

    static func bytes(_ bytes: [UInt8], contentType: String, cache: String = "no-store", download: String? = nil) -> Response {
        var fields: HTTPFields = [.contentType: contentType, .cacheControl: cache]
        if let download { fields[.contentDisposition] = "inline; filename=\"\(download)\"" }
        return Response(status: .ok, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
