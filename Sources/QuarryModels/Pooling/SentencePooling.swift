import Foundation

/// How a sentence embedding is made from the last hidden states, as the model's sentence-transformers
/// configuration (`modules.json`, `1_Pooling/config.json`) says. Without one: mean pooling, normalised.
public struct SentencePooling: Equatable, Sendable {
    public enum Mode: String, Sendable { case mean, cls }
    public var mode: Mode
    public var normalize: Bool

    public init(mode: Mode = .mean, normalize: Bool = true) { self.mode = mode; self.normalize = normalize }

    /// Reads the pooling set-up of a model folder.
    public init(folder: URL) throws {
        self.init()
        let modulesURL = folder.appendingPathComponent("modules.json")
        guard FileManager.default.fileExists(atPath: modulesURL.path) else { return }
        guard let modules = (try? JSONSerialization.jsonObject(with: Data(contentsOf: modulesURL))) as? [[String: Any]] else {
            throw ModelFolderError(path: modulesURL.path, reason: "not a list of modules")
        }
        let types = modules.compactMap { $0["type"] as? String }
        normalize = types.contains { $0.hasSuffix(".Normalize") }
        guard let pooling = modules.first(where: { ($0["type"] as? String)?.hasSuffix(".Pooling") == true }),
              let path = pooling["path"] as? String else { return }
        let configURL = folder.appendingPathComponent(path).appendingPathComponent("config.json")
        guard let config = (try? JSONSerialization.jsonObject(with: Data(contentsOf: configURL))) as? [String: Any] else {
            throw ModelFolderError(path: configURL.path, reason: "missing or not a JSON object")
        }
        let enabled = config.filter { $0.key.hasPrefix("pooling_mode_") && ($0.value as? Bool) == true }.map(\.key)
        switch enabled {
        case ["pooling_mode_mean_tokens"]: mode = .mean
        case ["pooling_mode_cls_token"]: mode = .cls
        default:
            throw ModelFolderError(path: configURL.path, reason: "unsupported pooling \(enabled.sorted()) (mean or cls only)")
        }
    }
}
