import Foundation

/// The SHA-256 of a model's `model.safetensors`, with the file's size and modification time, so that a
/// later check can skip re-hashing a file that has not changed (as `make` trusts timestamps).
public struct WeightsFingerprint: Codable, Equatable, Sendable {
    public var sha256: String
    public var bytes: Int64
    /// Seconds since 1970 of the file's last modification.
    public var modified: Double

    /// The weights file of a model folder.
    public static func weightsFile(in folder: URL) -> URL {
        folder.appendingPathComponent("model.safetensors")
    }

    /// Fingerprints the weights of `folder`; `known`, when its size and time still match the file, is
    /// returned without reading the file again.
    public static func of(modelFolder folder: URL, reusing known: WeightsFingerprint? = nil) throws -> WeightsFingerprint {
        let url = weightsFile(in: folder)
        let attributes: [FileAttributeKey: Any]
        do { attributes = try FileManager.default.attributesOfItem(atPath: url.path) } catch {
            throw EmbeddingJobError.modelMissing(path: url.path)
        }
        let bytes = (attributes[.size] as? NSNumber)?.int64Value ?? -1
        let modified = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
        if let known, known.bytes == bytes, known.modified == modified { return known }
        return WeightsFingerprint(sha256: try SHA256.hex(ofFileAt: url), bytes: bytes, modified: modified)
    }
}
