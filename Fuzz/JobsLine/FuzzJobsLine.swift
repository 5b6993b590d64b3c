import Foundation
import FuzzSupport
import Jobs

/// Any bytes, read as one line of a jobs file, either parse into a job or into one bad-line
/// report that names the line and a reason; a crash, hang or sanitizer report is a parser bug.
@main enum FuzzJobsLine {
    static func main() { fuzzMain(fuzzOne) }
}

private func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Data(bytes: $0, count: size) } ?? Data()
    let text = String(decoding: bytes, as: UTF8.self)
    if case .bad(let error) = JobLine.parse(Substring(text), line: 1, file: "fuzz.jsonl") {
        guard error.line == 1, !error.reason.isEmpty else { fatalError("a bad line without its line number or reason: \(error)") }
    }
    return 0
}
