import Foundation

/// One query of a test collection: its id (as the relevance judgements name it) and its text.
public struct JudgedQuery: Sendable, Equatable {
    public var id: String
    public var text: String

    public init(id: String, text: String) {
        self.id = id
        self.text = text
    }

    /// The query as a QA-set example without answers, so it can go through the QA split (by question id).
    public var example: QAExample { QAExample(id: id, question: text, answers: []) }
}

/// Which part of a TREC topic is the query text.
public enum TopicField: String, Sendable, CaseIterable {
    case title
    case description
    /// Title, then description.
    case titleDescription = "title+description"
}

/// Reads the queries of a test collection, plain or gzip:
/// - TSV: `qid<TAB>text` a line (a first line `query-id<TAB>…`/`qid<TAB>…` whose id is not in the qrels is just a query);
/// - JSON lines: `{"_id" (or "id"): …, "text": …}` a line (BEIR's `queries.jsonl`);
/// - TREC topics: `<top>` records with `<num>`, `<title>`, `<desc>`, `<narr>`, closed or not (classic SGML topics
///   such as Robust04's, and XML ones such as Cranfield's `cran.qry.xml`); "Number:" and "Description:" are dropped.
public struct QueryFile: Sendable {
    public var field: TopicField
    /// Number the queries 1, 2, … in file order instead of taking the ids they carry. Cranfield needs it: its
    /// topic file keeps the original query numbers (1, 2, 4, 8, …) while its qrels number the topics 1–225.
    public var renumber: Bool

    public init(field: TopicField = .title, renumber: Bool = false) {
        self.field = field
        self.renumber = renumber
    }

    public func read(_ url: URL) throws -> [JudgedQuery] {
        let file = try CompressedTextFile(path: url.path)
        let head = try file.peek(1 << 12)
        let first = head.first { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }
        var queries: [JudgedQuery]
        if url.lastPathComponent.lowercased().contains(".jsonl") || first == UInt8(ascii: "{") {
            queries = try Self.readJSONLines(file)
        } else if first == UInt8(ascii: "<") {
            queries = try TopicParser(text: String(decoding: file.readRemaining(), as: UTF8.self), path: url.path).topics(field: field)
        } else {
            queries = try Self.readTSV(file)
        }
        guard !queries.isEmpty else { throw QASetError.malformed(path: url.path, place: "end of file", reason: "no queries") }
        if renumber {
            for i in queries.indices { queries[i].id = "\(i + 1)" }
        }
        var seen = Set<String>()
        for query in queries where !seen.insert(query.id).inserted {
            throw QASetError.malformed(path: url.path, place: "query \(query.id)", reason: "the id occurs twice")
        }
        return queries
    }

    static func readTSV(_ file: CompressedTextFile) throws -> [JudgedQuery] {
        var queries: [JudgedQuery] = []
        while let line = try file.nextLine() {
            if line.allSatisfy({ $0 == " " || $0 == "\t" }) { continue }
            guard let tab = line.firstIndex(of: "\t") else {
                throw QASetError.malformed(path: file.path, place: "line \(file.lineNumber)", reason: "expected `query-id<TAB>text`")
            }
            let id = line[..<tab].trimmingCharacters(in: .whitespaces)
            let text = line[line.index(after: tab)...].trimmingCharacters(in: .whitespaces)
            guard !id.isEmpty, !text.isEmpty else {
                throw QASetError.malformed(path: file.path, place: "line \(file.lineNumber)", reason: "empty query id or text")
            }
            queries.append(JudgedQuery(id: id, text: text))
        }
        return queries
    }

    static func readJSONLines(_ file: CompressedTextFile) throws -> [JudgedQuery] {
        var queries: [JudgedQuery] = []
        while let line = try file.nextLine() {
            if line.allSatisfy({ $0 == " " || $0 == "\t" }) { continue }
            let place = "line \(file.lineNumber)"
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                throw QASetError.malformed(path: file.path, place: place, reason: "not a JSON object")
            }
            let idValue = object["_id"] ?? object["id"]
            guard let id = (idValue as? String) ?? (idValue as? NSNumber)?.stringValue, !id.isEmpty else {
                throw QASetError.malformed(path: file.path, place: place, reason: "no \"_id\" (or \"id\") string or number")
            }
            guard let text = object["text"] as? String else {
                throw QASetError.malformed(path: file.path, place: place, reason: "no \"text\" string")
            }
            queries.append(JudgedQuery(id: id, text: text))
        }
        return queries
    }
}

/// TREC topics cut out of `<top>…</top>` records; a field runs from its tag to the next tag, closed or not.
struct TopicParser {
    let text: String
    let path: String

    func topics(field: TopicField) throws -> [JudgedQuery] {
        var queries: [JudgedQuery] = []
        var rest = text[...]
        while let open = rest.range(of: "<top>", options: .caseInsensitive) {
            let end = rest.range(of: "</top>", options: .caseInsensitive, range: open.upperBound..<rest.endIndex)
            let record = rest[open.upperBound..<(end?.lowerBound ?? rest.endIndex)]
            let fields = Self.fields(record)
            let place = "topic \(queries.count + 1)"
            guard let number = fields["num"].map({ Self.dropping("number:", from: $0) }), !number.isEmpty else {
                throw QASetError.malformed(path: path, place: place, reason: "a <top> record without <num>")
            }
            let title = fields["title"] ?? "", description = Self.dropping("description:", from: fields["desc"] ?? "")
            let query: String
            switch field {
            case .title: query = title.isEmpty ? description : title
            case .description: query = description.isEmpty ? title : description
            case .titleDescription: query = [title, description].filter { !$0.isEmpty }.joined(separator: " ")
            }
            guard !query.isEmpty else {
                throw QASetError.malformed(path: path, place: "topic \(number)", reason: "no <title> or <desc> text")
            }
            queries.append(JudgedQuery(id: number, text: query))
            rest = rest[(end?.upperBound ?? rest.endIndex)...]
        }
        if queries.isEmpty { throw QASetError.malformed(path: path, place: "start of file", reason: "no <top> topics") }
        return queries
    }

    /// Each tag's text up to the next tag (`<name>` or `</name>`), whitespace collapsed, entities decoded.
    static func fields(_ record: Substring) -> [String: String] {
        var result: [String: String] = [:]
        var name: String?
        var value = ""
        var i = record.startIndex
        // Once a `<` has no `>` after it, no later one has: stop looking (keeps a run of `<` linear).
        var closes = true
        func finish() {
            if let name, result[name] == nil { result[name] = collapse(value) }
        }
        while i < record.endIndex {
            if closes, record[i] == "<" {
                guard let close = record[i...].firstIndex(of: ">") else { closes = false; continue }
                let tag = record[record.index(after: i)..<close].lowercased()
                finish()
                name = tag.hasPrefix("/") ? nil : tag.split(separator: " ").first.map(String.init)
                value = ""
                i = record.index(after: close)
                continue
            }
            value.append(record[i])
            i = record.index(after: i)
        }
        finish()
        return result
    }

    static func collapse(_ text: String) -> String {
        let words = text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        return words.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&apos;", with: "'")
            .replacingOccurrences(of: "&amp;", with: "&")
    }

    static func dropping(_ label: String, from text: String) -> String {
        text.lowercased().hasPrefix(label) ? String(text.dropFirst(label.count)).trimmingCharacters(in: .whitespaces) : text
    }
}
