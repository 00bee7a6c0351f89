import Foundation
import QuarryModels
import QuarryNN
import QuarryText

extension ExtractiveReader {
    /// File names inside a reader folder.
    enum FolderLayout {
        static let encoder = "encoder"
        static let heads = "heads.safetensors"
        static let configuration = "reader.json"
    }

    /// Writes the reader as a folder: `encoder/` (a model folder any BERT loader reads), `heads.safetensors`
    /// and `reader.json` (the configuration). Written beside the target and renamed into place, so a
    /// crash leaves either the old folder or the new one.
    public func save(to folder: URL) throws {
        let fm = FileManager.default
        let parent = folder.deletingLastPathComponent()
        try fm.createDirectory(at: parent, withIntermediateDirectories: true)
        Self.removeLeftovers(of: folder)
        let staging = parent.appendingPathComponent(".\(folder.lastPathComponent).saving-\(getpid())")
        try fm.createDirectory(at: staging, withIntermediateDirectories: true)
        try saveEncoder(to: staging.appendingPathComponent(FolderLayout.encoder))
        try saveHeads(to: staging.appendingPathComponent(FolderLayout.heads))
        let encoderJSON = JSONEncoder()
        encoderJSON.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoderJSON.encode(configuration).write(to: staging.appendingPathComponent(FolderLayout.configuration))
        let old = parent.appendingPathComponent(".\(folder.lastPathComponent).old-\(getpid())")
        if fm.fileExists(atPath: folder.path) { try fm.moveItem(at: folder, to: old) }
        try fm.moveItem(at: staging, to: folder)
        if fm.fileExists(atPath: old.path) { try fm.removeItem(at: old) }
        tokenizerFolder = folder.appendingPathComponent(FolderLayout.encoder)
    }

    /// Tidies what a save killed part-way left beside `folder` (named by the process that wrote them, so no
    /// later process would reuse them): a replaced reader moved aside goes back when nothing took its place,
    /// the rest is removed. Saving runs under the store's writer lock, so no other save is under way.
    static func removeLeftovers(of folder: URL) {
        let fm = FileManager.default
        let parent = folder.deletingLastPathComponent()
        func leftovers(_ kind: String) -> [URL] {
            let prefix = ".\(folder.lastPathComponent).\(kind)-"
            return ((try? fm.contentsOfDirectory(atPath: parent.path)) ?? [])
                .filter { $0.hasPrefix(prefix) && Int32($0.dropFirst(prefix.count)) != nil }
                .map { parent.appendingPathComponent($0) }
        }
        for old in leftovers("old") where !fm.fileExists(atPath: folder.path) { try? fm.moveItem(at: old, to: folder) }
        for url in leftovers("old") + leftovers("saving") { try? fm.removeItem(at: url) }
    }

    /// Files of a model folder besides the weights that loading it again needs (tokenizer, pooling set-up).
    static let companionFiles = [
        "vocab.txt", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "modules.json",
        "sentence_bert_config.json", "config_sentence_transformers.json", "1_Pooling",
    ]

    /// The encoder as a Hugging Face model folder: `config.json`, F32 `model.safetensors`, and the companion
    /// files of the folder the tokenizer came from. (Written here rather than by `BertEncoder.save`, which
    /// re-points the encoder at the folder it wrote: that is a staging folder renamed away afterwards.)
    func saveEncoder(to folder: URL) throws {
        let fm = FileManager.default
        try fm.createDirectory(at: folder, withIntermediateDirectories: true)
        var json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(encoder.config)) as! [String: Any]
        json["model_type"] = "bert"
        json["architectures"] = ["BertModel"]
        try JSONSerialization.data(withJSONObject: json, options: [.prettyPrinted, .sortedKeys])
            .write(to: folder.appendingPathComponent("config.json"))
        let s = encoder.store
        try SafetensorsWriter.write(s.parameters.map { SafetensorsWriter.Tensor(name: $0.name, shape: $0.shape, data: s.value($0)) },
                                    metadata: ["format": "pt"], to: folder.appendingPathComponent("model.safetensors"))
        guard let source = tokenizerFolder else {
            throw ReaderError.malformedFolder(path: folder.path, reason: "the reader does not know which vocabulary it was built with")
        }
        for name in Self.companionFiles {
            let from = source.appendingPathComponent(name)
            guard fm.fileExists(atPath: from.path) else { continue }
            try fm.copyItem(at: from, to: folder.appendingPathComponent(name))
        }
    }

    /// The heads alone, as safetensors.
    public func saveHeads(to url: URL) throws {
        let s = heads.store
        try SafetensorsWriter.write(s.parameters.map { SafetensorsWriter.Tensor(name: $0.name, shape: $0.shape, data: s.value($0)) }, to: url)
    }

    /// Replaces the configuration saved in a reader folder (weights untouched), atomically: to adopt a span
    /// scoring rule tuned after training.
    public static func saveConfiguration(_ configuration: ReaderConfiguration, in folder: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(try encoder.encode(configuration), to: folder.appendingPathComponent(FolderLayout.configuration))
    }

    /// The configuration saved in a reader folder.
    public static func savedConfiguration(in folder: URL) throws -> ReaderConfiguration {
        let url = folder.appendingPathComponent(FolderLayout.configuration)
        do {
            return try JSONDecoder().decode(ReaderConfiguration.self, from: Data(contentsOf: url))
        } catch {
            throw ReaderError.malformedFolder(path: url.path, reason: "cannot read the reader configuration (\(error))")
        }
    }

    /// Loads a folder written by `save(to:)`, with the prompts to build inputs with (and `configuration`
    /// instead of the saved one, when given: to continue training with other window sizes, say).
    public convenience init(folder: URL, prompts: Prompts, configuration: ReaderConfiguration? = nil) throws {
        let configuration = try configuration ?? Self.savedConfiguration(in: folder)
        let encoderFolder = folder.appendingPathComponent(FolderLayout.encoder)
        let encoder = try BertEncoder(contentsOf: encoderFolder)
        let heads = ReaderHeads(hiddenSize: encoder.dimension)
        try heads.load(from: folder.appendingPathComponent(FolderLayout.heads))
        try self.init(encoder: encoder, tokenizer: BertTokenizer(modelDirectory: encoderFolder), prompts: prompts,
                      configuration: configuration, heads: heads)
        tokenizerFolder = encoderFolder
    }
}

extension ReaderHeads {
    /// Copies every head parameter from a safetensors file (names as `layout` gives them, optionally prefixed).
    public func load(from url: URL, prefix: String = "") throws {
        let file = try SafetensorsFile(url: url)
        try load(from: file, prefix: prefix)
    }

    func load(from file: SafetensorsFile, prefix: String) throws {
        for p in store.parameters {
            guard let entry = file.entries[prefix + p.name], entry.shape == p.shape, entry.dtype.isFloatingPoint else {
                throw ReaderError.malformedFolder(path: file.url.path, reason: "missing or misshapen tensor \(prefix + p.name) (want \(p.shape))")
            }
            try file.copy(entry, into: store.value(p))
        }
    }
}
