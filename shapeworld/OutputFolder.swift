import Foundation

/// An output folder that appears all at once: everything is written into a hidden sibling folder
/// that is renamed into place at the end, and removed if the command fails.
struct OutputFolder {
    let final: URL
    let staging: URL

    init(_ url: URL) throws {
        let fm = FileManager.default
        let parent = url.deletingLastPathComponent()
        var isFolder: ObjCBool = false
        guard fm.fileExists(atPath: parent.path, isDirectory: &isFolder), isFolder.boolValue else {
            throw ValidationFailure("\(url.path): the parent folder \(parent.path) does not exist")
        }
        if fm.fileExists(atPath: url.path) {
            let contents = (try? fm.contentsOfDirectory(atPath: url.path)) ?? ["?"]
            guard contents.isEmpty else { throw ValidationFailure("\(url.path): already exists and is not empty (refusing to overwrite)") }
            try fm.removeItem(at: url)
        }
        final = url
        staging = parent.appendingPathComponent(".\(url.lastPathComponent).partial-\(getpid())")
        try? fm.removeItem(at: staging)
        do { try fm.createDirectory(at: staging, withIntermediateDirectories: false) } catch {
            throw ValidationFailure("\(url.path): cannot create: \(error.localizedDescription)")
        }
    }

    func commit() throws { try FileManager.default.moveItem(at: staging, to: final) }
    func discard() { try? FileManager.default.removeItem(at: staging) }

    /// Runs `body` with the staging folder, committing on success and discarding on failure.
    func fill(_ body: (URL) throws -> Void) throws {
        do { try body(staging); try commit() } catch { discard(); throw error }
    }
}

/// A user-facing failure: printed as is, exit status 1.
struct ValidationFailure: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}
