import Foundation
import Hummingbird

/// Refuses API requests without `Authorization: Bearer <token>` (401), when the server was
/// started with `--token`. The page and openapi.yaml stay open: they hold no data, and the page
/// sends the token itself.
struct BearerTokenMiddleware<Context: RequestContext>: RouterMiddleware {
    let token: String

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer "),
              Self.equalInConstantTime(Array(header.utf8.dropFirst("Bearer ".utf8.count)), Array(token.utf8)) else {
            var error = APIError(.unauthorized, "this server needs a bearer token: send the header \"Authorization: Bearer <token>\" with the token it was started with (--token)")
            error.headers[.wwwAuthenticate] = "Bearer"
            return APIResponses.error(error)
        }
        return try await next(request, context)
    }

    /// Compares without stopping at the first difference, so response times do not reveal how much of a guess was right.
    static func equalInConstantTime(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var difference = UInt8(truncatingIfNeeded: a.count ^ b.count)
        for i in 0..<max(a.count, b.count) {
            difference |= (i < a.count ? a[i] : 0) ^ (i < b.count ? b[i] : 0)
        }
        return difference == 0
    }
}
