import Foundation
import QuarryStore
import QuarryText

/// The named readers of one store: folders under `<database>.readers/` and rows in its `readers` table.
public struct ReaderLibrary {
    public let store: CorpusStore
    /// The name `train reader` uses when none is given.
    public static let defaultName = "reader"

    public init(store: CorpusStore) { self.store = store }

    public var directory: URL { StoreFolder.readers.url(forDatabase: store.url) }

    /// Where reader `name` is saved.
    public func folder(named name: String) -> URL { directory.appendingPathComponent(name) }
    /// Where the training run of reader `name` keeps its checkpoint and metrics.
    public func workFolder(named name: String) -> URL { directory.appendingPathComponent(name + ".training") }

    /// Names are letters, digits, `-`, `_`, `.` (not first), so they are safe as folder names.
    public static func isValidName(_ name: String) -> Bool {
        // `none` is how the commands say "no reader".
        name != "none" && StoredName.isValid(name)
    }

    /// The reader to use when none is named: `reader` if trained, else the most recently trained one.
    public func defaultRecord() throws -> ReaderRecord? {
        if let record = try store.readers.record(named: Self.defaultName) { return record }
        return try store.readers.all().first
    }

    /// The folder of reader `text`: a reader of this store by that name, else a reader folder at that path
    /// (one holding `reader.json`, as in another store's `<db>.readers/`).
    public func folder(ofNameOrPath text: String) throws -> URL {
        if let record = try store.readers.record(named: text) { return URL(fileURLWithPath: record.path) }
        let url = URL(fileURLWithPath: text)
        guard FileManager.default.fileExists(atPath: url.appendingPathComponent(ExtractiveReader.FolderLayout.configuration).path) else {
            throw ReaderError.notFound(name: text, known: try store.readers.all().map(\.name))
        }
        return url
    }

    /// The reader `name` names (nil: the default one) as it is shown in reports — the name given, else the
    /// default record's — with its folder; nil when `name` is nil and none is trained.
    public func locate(_ name: String?) throws -> (name: String, folder: URL)? {
        if let name { return (name, try folder(ofNameOrPath: name)) }
        return try defaultRecord().map { ($0.name, URL(fileURLWithPath: $0.path)) }
    }

    /// Makes `rule` the span scoring rule saved in a reader folder (`eval --adopt-best-scoring`).
    public static func adoptSpanScoring(_ rule: SpanScoringRule, inFolder folder: URL) throws {
        var configuration = try ExtractiveReader.savedConfiguration(in: folder)
        configuration.spanScoring = rule
        try ExtractiveReader.saveConfiguration(configuration, in: folder)
    }

    /// Saves `reader` as `name` and records it in the catalog.
    public func save(_ reader: ExtractiveReader, name: String, baseModel: String, supervision: String,
                     steps: Int, questions: Int) throws -> URL {
        guard Self.isValidName(name) else {
            throw ReaderError.badConfiguration("invalid reader name \"\(name)\": use letters, digits, '-', '_' and '.' (not first)")
        }
        let folder = folder(named: name)
        try reader.save(to: folder)
        let now = Date(), catalog = try store.readers
        // A reader saved again under its name keeps the date it was first created.
        let created = try catalog.record(named: name)?.createdAt ?? now
        try catalog.save(ReaderRecord(name: name, path: folder.path, baseModel: baseModel, supervision: supervision,
                                      steps: steps, questions: questions, createdAt: created, updatedAt: now))
        return folder
    }
}
