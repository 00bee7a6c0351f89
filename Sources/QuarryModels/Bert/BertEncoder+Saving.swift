import Foundation
import QuarryNN

extension BertEncoder {
    /// Files besides the weights that a model folder needs to be loaded again (tokenizer and
    /// sentence-transformers configuration); copied from `sourceFolder` when it has them.
    static let companionFiles = [
        "vocab.txt", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "modules.json",
        "sentence_bert_config.json", "config_sentence_transformers.json", "1_Pooling",
    ]

    /// Writes a model folder (`config.json`, `model.safetensors` in F32, and the tokenizer and pooling files of
    /// the folder this encoder came from) that `init(contentsOf:)` loads back to the same encoder.
    public func save(to folder: URL) throws {
        let fm = FileManager.default
        try fm.createDirectory(at: folder, withIntermediateDirectories: true)
        var json = originalConfigJSON ?? [:]
        let encoded = try JSONSerialization.jsonObject(with: JSONEncoder().encode(config)) as! [String: Any]
        json.merge(encoded) { _, new in new }
        if json["model_type"] == nil { json["model_type"] = "bert" }
        try AtomicFile.write(try JSONSerialization.data(withJSONObject: json, options: [.prettyPrinted, .sortedKeys]),
                             to: folder.appendingPathComponent("config.json"))
        let tensors = store.parameters.map {
            SafetensorsWriter.Tensor(name: $0.name, shape: $0.shape, data: store.value($0))
        }
        try SafetensorsWriter.write(tensors, metadata: ["format": "pt"], to: folder.appendingPathComponent("model.safetensors"))
        if let source = sourceFolder, source.standardizedFileURL != folder.standardizedFileURL {
            for name in Self.companionFiles {
                let from = source.appendingPathComponent(name), to = folder.appendingPathComponent(name)
                guard fm.fileExists(atPath: from.path) else { continue }
                if fm.fileExists(atPath: to.path) { try fm.removeItem(at: to) }
                try fm.copyItem(at: from, to: to)
            }
        } else if sourceFolder == nil {
            try writePoolingConfiguration(to: folder)
        }
        sourceFolder = folder
    }

    /// sentence-transformers files describing `pooling`, for an encoder that was not loaded from a folder.
    private func writePoolingConfiguration(to folder: URL) throws {
        var modules: [[String: Any]] = [
            ["idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"],
            ["idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"],
        ]
        if pooling.normalize {
            modules.append(["idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"])
        }
        try JSONSerialization.data(withJSONObject: modules, options: [.prettyPrinted])
            .write(to: folder.appendingPathComponent("modules.json"))
        let poolingFolder = folder.appendingPathComponent("1_Pooling")
        try FileManager.default.createDirectory(at: poolingFolder, withIntermediateDirectories: true)
        let config: [String: Any] = [
            "word_embedding_dimension": dimension,
            "pooling_mode_cls_token": pooling.mode == .cls,
            "pooling_mode_mean_tokens": pooling.mode == .mean,
            "pooling_mode_max_tokens": false,
            "pooling_mode_mean_sqrt_len_tokens": false,
        ]
        try JSONSerialization.data(withJSONObject: config, options: [.prettyPrinted, .sortedKeys])
            .write(to: poolingFolder.appendingPathComponent("config.json"))
        try JSONSerialization.data(withJSONObject: ["max_seq_length": maxSequenceLength, "do_lower_case": false])
            .write(to: folder.appendingPathComponent("sentence_bert_config.json"))
    }
}
