import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An output folder that appears all at once: everything is written into a hidden sibling folder
/// that is made durable and renamed into place at the end, and removed if the work fails.
public struct OutputFolder: Sendable {
    /// Where the folder ends up.
    public let final: URL
    /// Where its files are written until `commit`.
    public let staging: URL

    /// Checks that the parent exists and that `url` is absent or empty, and creates the staging folder.
    public init(_ url: URL) throws {
        let fm = FileManager.default
        let parent = url.deletingLastPathComponent()
        try Durability.checkWritableFolder(parent.path, for: url.path)
        if fm.fileExists(atPath: url.path) {
            let contents = (try? fm.contentsOfDirectory(atPath: url.path)) ?? ["?"]
            guard contents.isEmpty else { throw OutputError(path: url.path, reason: "already exists and is not empty (refusing to overwrite)") }
            do { try fm.removeItem(at: url) } catch { throw OutputError(path: url.path, reason: error.localizedDescription) }
        }
        final = url
        staging = Durability.temporarySibling(of: url, tag: "partial")
        do { try fm.createDirectory(at: staging, withIntermediateDirectories: false) } catch {
            throw OutputError(path: url.path, reason: "cannot create \(staging.path): \(error.localizedDescription)")
        }
    }

    /// Syncs every file written into the staging folder, then renames it into place.
    public func commit() throws {
        do {
            try syncTree(staging)
            guard rename(staging.path, final.path) == 0 else { throw OutputError.fromErrno(final.path, "rename") }
        } catch {
            discard()
            throw error
        }
        try Durability.syncFolder(final.deletingLastPathComponent().path, reportingAs: final.path)
    }

    /// Removes the staging folder and everything in it.
    public func discard() { try? FileManager.default.removeItem(at: staging) }

    /// Runs `body` with the staging folder, committing on success and discarding on failure.
    public func fill(_ body: (URL) throws -> Void) throws {
        do { try body(staging) } catch { discard(); throw error }
        try commit()
    }

    private func syncTree(_ folder: URL) throws {
        let fm = FileManager.default
        let names: [String]
        do { names = try fm.contentsOfDirectory(atPath: folder.path) } catch {
            throw OutputError(path: final.path, reason: "cannot list \(folder.path): \(error.localizedDescription)")
        }
        for name in names {
            let item = folder.appendingPathComponent(name)
            var isFolder: ObjCBool = false
            _ = fm.fileExists(atPath: item.path, isDirectory: &isFolder)
            if isFolder.boolValue { try syncTree(item) } else { try Durability.syncFile(item.path, reportingAs: final.path) }
        }
        try Durability.syncFolder(folder.path, reportingAs: final.path)
    }
}
