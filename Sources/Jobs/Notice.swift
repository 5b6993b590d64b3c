import Foundation

/// One-line notices of the sampling commands that are not errors (duplicates dropped): stderr, so
/// that stdout keeps only what a script reads (a path, the figures).
enum Notice {
    static func write(_ line: String) {
        FileHandle.standardError.write(Data("sample: \(line)\n".utf8))
    }
}
