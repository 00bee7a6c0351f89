import Foundation

extension ParameterStore {
    /// Writes every parameter's values as F32 tensors under their names.
    public func save(to url: URL, metadata: [String: String] = [:]) throws {
        try SafetensorsWriter.write(parameters.map { .init(name: $0.name, shape: $0.shape, data: value($0)) },
                                    metadata: metadata, to: url)
    }

    /// Reads every parameter's values from a file written by `save` (or any safetensors file holding tensors of
    /// the same names and shapes); `prefix` is tried before each name when the plain name is absent.
    /// Returns the file's metadata.
    @discardableResult
    public func load(from url: URL, prefix: String? = nil) throws -> [String: String] {
        let file = try SafetensorsFile(url: url)
        for p in parameters {
            guard let entry = file.entries[p.name] ?? prefix.flatMap({ file.entries[$0 + p.name] }) else {
                throw SafetensorsError(path: url.path, reason: "missing tensor \(p.name)")
            }
            guard entry.shape == p.shape else {
                throw SafetensorsError(path: url.path, reason: "tensor \(entry.name) has shape \(entry.shape), expected \(p.shape)")
            }
            try file.copy(entry, into: value(p))
        }
        return file.metadata
    }
}

extension AdamW {
    /// Writes the optimiser state (both moment buffers and the step count) so a run can resume exactly.
    public func saveState(to url: URL) throws {
        try withMoments { m, v, count in
            try SafetensorsWriter.write([
                .init(name: "adamw.m", shape: [count], data: m),
                .init(name: "adamw.v", shape: [count], data: v),
            ], metadata: ["step": String(step)], to: url)
        }
    }

    /// Restores a state written by `saveState` for a store of the same size.
    public func loadState(from url: URL) throws {
        let file = try SafetensorsFile(url: url)
        try withMoments { m, v, count in
            for (name, buffer) in [("adamw.m", m), ("adamw.v", v)] {
                guard let entry = file.entries[name], entry.shape == [count] else {
                    throw SafetensorsError(path: url.path, reason: "\(name) missing or not \(count) floats")
                }
                try file.copy(entry, into: buffer)
            }
        }
        guard let step = file.metadata["step"].flatMap(Int.init), step >= 0 else {
            throw SafetensorsError(path: url.path, reason: "missing step count in metadata")
        }
        restoreStep(step)
    }
}
