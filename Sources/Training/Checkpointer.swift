import Foundation
import NN
import Tensors

/// Why a run cannot resume: names the run folder or the checkpoint file.
public struct CheckpointError: Error, CustomStringConvertible {
    public var path: String
    public var message: String
    public var description: String { "\(path): \(message)" }
}

/// Checkpoints of one run: `checkpoints/step-00001000.safetensors`, each holding all state by name
/// and written atomically (a kill during the write leaves the previous files as they were); only
/// the newest `keep` are kept.
public struct Checkpointer: Sendable {
    public let folder: URL
    public let keep: Int

    public init(folder: URL, keep: Int) {
        require(keep >= 1, "keep at least one checkpoint")
        self.folder = folder; self.keep = keep
    }

    /// The file name of the checkpoint after `step` steps.
    public static func fileName(step: Int) -> String { String(format: "step-%08d.safetensors", step) }

    /// Writes the checkpoint after `step` steps, then removes all but the newest `keep`.
    public func save(step: Int, tensors: [String: SafeTensor], metadata: [String: String]) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var meta = metadata
        meta["step"] = String(step)
        try SafeTensorsFile(tensors: tensors, metadata: meta).write(to: folder.appendingPathComponent(Self.fileName(step: step)))
        for old in checkpoints().dropLast(keep) { try? FileManager.default.removeItem(at: old.url) }
    }

    /// The checkpoints on disk, oldest first (temporary files of an interrupted write are not listed).
    public func checkpoints() -> [(step: Int, url: URL)] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.compactMap { name -> (Int, URL)? in
            guard name.hasPrefix("step-"), name.hasSuffix(".safetensors"),
                  let step = Int(name.dropFirst(5).dropLast(12)) else { return nil }
            return (step, folder.appendingPathComponent(name))
        }.sorted { $0.0 < $1.0 }
    }

    /// Removes the hidden temporary files of checkpoint writes that a killed process left behind
    /// (never a finished checkpoint: those only appear by rename, whole). Call only while holding
    /// the run's lock, so no live writer is affected.
    public func removeInterruptedWrites() {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        for name in names where name.hasPrefix(".step-") && name.contains(".partial-") {
            try? FileManager.default.removeItem(at: folder.appendingPathComponent(name))
        }
    }

    /// The newest checkpoint, read and validated; an error when there is none or it is damaged
    /// (a damaged file is never silently skipped: the user decides what to do with it).
    public func latest() throws -> (step: Int, file: SafeTensorsFile, url: URL) {
        guard let newest = checkpoints().last else {
            throw CheckpointError(path: folder.deletingLastPathComponent().path, message: "no checkpoint to resume from (expected checkpoints/step-*.safetensors)")
        }
        let file: SafeTensorsFile
        do { file = try SafeTensorsFile(contentsOf: newest.url) } catch {
            throw CheckpointError(path: newest.url.path, message: "damaged checkpoint, cannot resume: \(error)")
        }
        guard file.metadata["step"] == String(newest.step) else {
            throw CheckpointError(path: newest.url.path, message: "checkpoint's metadata says step \(file.metadata["step"] ?? "none"), its name \(newest.step)")
        }
        return (newest.step, file, newest.url)
    }
}

/// Small non-float state (steps, data cursors, generator words) as I64 safetensors entries.
public enum CheckpointValue {
    public static func integers(_ values: [Int]) -> SafeTensor { SafeTensor(shape: [values.count], data: .i64(values.map { Int64($0) })) }
    public static func words(_ values: [UInt64]) -> SafeTensor {
        SafeTensor(shape: [values.count], data: .i64(values.map { Int64(bitPattern: $0) }))
    }

    /// Reads back an `integers` entry.
    public static func integers(_ file: SafeTensorsFile, _ name: String, count: Int, source: String) throws -> [Int] {
        guard let t = file.tensors[name], case .i64(let v) = t.data, v.count == count else {
            throw CheckpointError(path: source, message: "missing or malformed entry \(name)")
        }
        return v.map { Int($0) }
    }

    /// Reads back a `words` entry.
    public static func words(_ file: SafeTensorsFile, _ name: String, source: String) throws -> [UInt64] {
        guard let t = file.tensors[name], case .i64(let v) = t.data else {
            throw CheckpointError(path: source, message: "missing or malformed entry \(name)")
        }
        return v.map { UInt64(bitPattern: $0) }
    }
}
