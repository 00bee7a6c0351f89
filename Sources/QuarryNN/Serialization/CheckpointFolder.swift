import Foundation

/// A folder of named float arrays (one safetensors file) plus a JSON state, replaced atomically: the new
/// checkpoint is written beside the old one and swapped in by renames, so a kill at any moment leaves
/// either the old or the new checkpoint whole. The retriever and the reader trainers both keep theirs so.
public struct CheckpointFolder {
    public let url: URL
    var partialURL: URL { url.deletingLastPathComponent().appendingPathComponent(url.lastPathComponent + ".partial") }
    var previousURL: URL { url.deletingLastPathComponent().appendingPathComponent(url.lastPathComponent + ".previous") }

    public init(url: URL) { self.url = url }

    /// Writes `state` (as `state.json`), `arrays` (as `arrays.safetensors`) and whatever `files` writes into
    /// the new folder it is given, then swaps the folder in.
    public func write<State: Encodable>(state: State, arrays: [(name: String, values: [Float])],
                                        files: (URL) throws -> Void = { _ in }) throws {
        let fm = FileManager.default
        do {
            try? fm.removeItem(at: partialURL)
            try fm.createDirectory(at: partialURL, withIntermediateDirectories: true)
            try writeArrays(arrays, to: partialURL.appendingPathComponent("arrays.safetensors"))
            try files(partialURL)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try AtomicFile.write(try encoder.encode(state), to: partialURL.appendingPathComponent("state.json"))
            try? fm.removeItem(at: previousURL)
            if fm.fileExists(atPath: url.path) { try fm.moveItem(at: url, to: previousURL) }
            try fm.moveItem(at: partialURL, to: url)
            try? fm.removeItem(at: previousURL)
        } catch let error as SafetensorsError {
            throw CheckpointError.cannotWrite(path: url.path, reason: error.description)
        } catch let error as FileWriteError {
            throw CheckpointError.cannotWrite(path: url.path, reason: error.description)
        } catch {
            // Foundation's own errors: their localized text carries the system's reason.
            throw CheckpointError.cannotWrite(path: url.path, reason: error.localizedDescription)
        }
    }

    /// The checkpoint's folder: the current one, else the previous one a kill left mid-swap; nil when none.
    public func existing() -> URL? {
        let fm = FileManager.default
        if fm.fileExists(atPath: url.appendingPathComponent("state.json").path) { return url }
        if fm.fileExists(atPath: previousURL.appendingPathComponent("state.json").path) { return previousURL }
        return nil
    }

    /// Reads the state and the arrays of the existing checkpoint, with the folder they were found in. With the
    /// current folder whole, what a kill left of a swap (the half-written next one, the half-removed previous
    /// one) is removed: a resumed run may never write another checkpoint to tidy up.
    public func read<State: Decodable>(_ type: State.Type) throws -> (State, SafetensorsFile, URL)? {
        guard let folder = existing() else { return nil }
        if folder == url { for leftover in [partialURL, previousURL] { try? FileManager.default.removeItem(at: leftover) } }
        let stateURL = folder.appendingPathComponent("state.json")
        do {
            let state = try JSONDecoder().decode(State.self, from: Data(contentsOf: stateURL))
            return (state, try SafetensorsFile(url: folder.appendingPathComponent("arrays.safetensors")), folder)
        } catch {
            throw CheckpointError.unusable(path: folder.path, reason: "\(error)")
        }
    }

    private func writeArrays(_ arrays: [(name: String, values: [Float])], to url: URL) throws {
        let present = arrays.filter { !$0.values.isEmpty }
        // The writer takes pointers; keep every array pinned while it runs.
        func write(_ index: Int, _ tensors: [SafetensorsWriter.Tensor]) throws {
            if index == present.count { return try SafetensorsWriter.write(tensors, to: url) }
            try present[index].values.withUnsafeBufferPointer { buffer in
                let tensor = SafetensorsWriter.Tensor(name: present[index].name, shape: [buffer.count], data: buffer.baseAddress!)
                try write(index + 1, tensors + [tensor])
            }
        }
        try write(0, [])
    }
}

/// Why a checkpoint could not be written or used.
public enum CheckpointError: Error, CustomStringConvertible, Equatable {
    case cannotWrite(path: String, reason: String)
    case unusable(path: String, reason: String)

    public var description: String {
        switch self {
        case let .cannotWrite(path, reason): return "\(path): cannot write checkpoint (\(reason))"
        case let .unusable(path, reason): return "\(path): unusable checkpoint (\(reason))"
        }
    }
}
