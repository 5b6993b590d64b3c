import Foundation

/// Runs a libFuzzer entry point on each file (or each file in each folder) named, printing one
/// line per input: a plain build's way to replay a corpus or a crash without libFuzzer.
func replayFiles(_ paths: some Sequence<String>, _ entry: FuzzEntry) {
    let fm = FileManager.default
    var files: [String] = []
    for path in paths {
        var isFolder: ObjCBool = false
        guard fm.fileExists(atPath: path, isDirectory: &isFolder) else { print("\(path): no such file"); exit(1) }
        if isFolder.boolValue {
            files += ((try? fm.contentsOfDirectory(atPath: path)) ?? []).sorted().map { path + "/" + $0 }
        } else {
            files.append(path)
        }
    }
    for file in files {
        guard let data = fm.contents(atPath: file) else { print("\(file): cannot read"); exit(1) }
        let bytes = [UInt8](data)
        bytes.withUnsafeBufferPointer { buffer in
            // An empty buffer has no base address; libFuzzer passes a valid pointer with size 0.
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: max(buffer.count, 1)) { copy in
                for i in 0..<buffer.count { copy[i] = buffer[i] }
                _ = entry(UnsafePointer(copy.baseAddress!), buffer.count)
            }
        }
        print("\(file): ok")
    }
}
