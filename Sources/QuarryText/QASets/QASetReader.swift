import Foundation

/// Reads QA sets: SQuAD JSON, JSON lines and TSV/CSV, each plain or gzip-compressed.
public struct QASetReader: Sendable {
    /// Skip malformed rows (counted in `QASet.skippedMalformed`) instead of stopping at the first.
    public var keepGoing: Bool

    public init(keepGoing: Bool = false) {
        self.keepGoing = keepGoing
    }

    /// Reads `url` in `format`, or in the format its name or its first bytes show.
    public func read(_ url: URL, format: QAFormat? = nil) throws -> QASet {
        let file = try CompressedTextFile(path: url.path)
        let format = try format ?? QASetReader.detectFormat(url, file)
        var sink = RowSink(path: url.path, keepGoing: keepGoing)
        switch format {
        case .squad: try SQuADFormat.read(file, into: &sink)
        case .jsonLines: try JSONLinesFormat.read(file, into: &sink)
        case .tsv: try DelimitedFormat.read(file, separator: 0x09, into: &sink)
        case .csv: try DelimitedFormat.read(file, separator: 0x2C, into: &sink)
        }
        return QASet(examples: sink.examples, format: format, skippedUnanswerable: sink.unanswerable,
                     skippedMalformed: sink.problems.count, problems: sink.problems)
    }

    /// The format by extension (`.gz` looked through), else by content: a first line that is a JSON object
    /// with a `question` is JSON lines, another `{` is SQuAD, a tab in the first line is TSV, else CSV.
    static func detectFormat(_ url: URL, _ file: CompressedTextFile) throws -> QAFormat {
        var name = url.lastPathComponent.lowercased()
        if name.hasSuffix(".gz") { name.removeLast(3) }
        switch (name as NSString).pathExtension {
        case "json": return .squad
        case "jsonl", "ndjson": return .jsonLines
        case "tsv": return .tsv
        case "csv": return .csv
        default: break
        }
        let head = try file.peek(1 << 16)
        guard let first = head.first(where: { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }) else {
            throw QASetError.unknownFormat(path: url.path, reason: "the file is empty")
        }
        let firstLine = head.prefix { $0 != 0x0A }
        if first == UInt8(ascii: "{") {
            if let object = try? JSONSerialization.jsonObject(with: Data(firstLine)) as? [String: Any], object["question"] != nil {
                return .jsonLines
            }
            return .squad
        }
        return firstLine.contains(0x09) ? .tsv : .csv
    }
}

/// Collects examples and applies the keep-going policy to malformed rows.
struct RowSink {
    let path: String
    let keepGoing: Bool
    var examples: [QAExample] = []
    var unanswerable = 0
    var problems: [QASetError] = []

    mutating func malformed(_ place: String, _ reason: String) throws {
        let error = QASetError.malformed(path: path, place: place, reason: reason)
        guard keepGoing else { throw error }
        problems.append(error)
    }
}

/// Answers given as a string, a list of strings, or a list of `{"text": …}` objects; nil when none of these.
func answerStrings(_ value: Any?) -> [String]? {
    if let text = value as? String { return [text] }
    guard let list = value as? [Any] else { return nil }
    var answers: [String] = []
    for item in list {
        if let text = item as? String { answers.append(text) }
        else if let object = item as? [String: Any], let text = object["text"] as? String { answers.append(text) }
        else if let number = item as? NSNumber { answers.append(number.stringValue) }
        else { return nil }
    }
    return answers
}

/// SQuAD v1.1 / v2.0 JSON: a whole-document format, so the file is parsed at once.
enum SQuADFormat {
    static func read(_ file: CompressedTextFile, into sink: inout RowSink) throws {
        let root: Any
        do {
            root = try JSONSerialization.jsonObject(with: file.readRemaining())
        } catch let error as QASetError {
            throw error
        } catch {
            throw QASetError.malformed(path: file.path, place: "JSON", reason: "invalid JSON (\(error.localizedDescription))")
        }
        guard let articles = (root as? [String: Any])?["data"] as? [Any] else {
            throw QASetError.malformed(path: file.path, place: "top level", reason: "no \"data\" list: not a SQuAD file")
        }
        for (a, articleValue) in articles.enumerated() {
            guard let article = articleValue as? [String: Any], let paragraphs = article["paragraphs"] as? [Any] else {
                try sink.malformed("data[\(a)]", "an article needs a \"paragraphs\" list")
                continue
            }
            let title = article["title"] as? String
            for (p, paragraphValue) in paragraphs.enumerated() {
                let place = "data[\(a)].paragraphs[\(p)]"
                guard let paragraph = paragraphValue as? [String: Any], let context = paragraph["context"] as? String,
                      let qas = paragraph["qas"] as? [Any] else {
                    try sink.malformed(place, "a paragraph needs \"context\" and a \"qas\" list")
                    continue
                }
                let articleName = title ?? (paragraph["document_id"]).map { "\($0)" } ?? "article \(a)"
                for (q, qaValue) in qas.enumerated() {
                    try readQuestion(qaValue, place: "\(place).qas[\(q)]", title: title, article: articleName,
                                     context: context, into: &sink)
                }
            }
        }
    }

    private static func readQuestion(_ value: Any, place: String, title: String?, article: String, context: String,
                                     into sink: inout RowSink) throws {
        guard let qa = value as? [String: Any], let question = qa["question"] as? String else {
            try sink.malformed(place, "a question needs a \"question\" string")
            return
        }
        guard let answerList = qa["answers"] as? [Any] else {
            try sink.malformed(place, "a question needs an \"answers\" list")
            return
        }
        if qa["is_impossible"] as? Bool == true || answerList.isEmpty {
            sink.unanswerable += 1
            return
        }
        var answers: [String] = [], starts: [Int] = []
        for answer in answerList {
            guard let object = answer as? [String: Any], let text = object["text"] as? String else {
                try sink.malformed(place, "an answer needs a \"text\" string")
                return
            }
            answers.append(text)
            if let start = object["answer_start"] as? Int { starts.append(start) }
        }
        let id = qa["id"].map { "\($0)" } ?? place
        sink.examples.append(QAExample(id: id, question: question, answers: answers, title: title, article: article,
                                       context: context, answerStarts: starts.count == answers.count ? starts : []))
    }
}

/// One JSON object a line (NQ-open style); blank lines are ignored.
enum JSONLinesFormat {
    static func read(_ file: CompressedTextFile, into sink: inout RowSink) throws {
        while let line = try file.nextLine() {
            if line.allSatisfy({ $0 == " " || $0 == "\t" }) { continue }
            let place = "\(file.lineNumber)"
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                try sink.malformed(place, "not a JSON object")
                continue
            }
            guard let question = object["question"] as? String else {
                try sink.malformed(place, "no \"question\" string")
                continue
            }
            guard let answers = answerStrings(object["answers"] ?? object["answer"]) else {
                try sink.malformed(place, "no \"answers\" or \"answer\" (a string or a list of strings)")
                continue
            }
            if answers.isEmpty { sink.unanswerable += 1; continue }
            let id = object["id"].map { "\($0)" } ?? "line \(file.lineNumber)"
            let title = object["title"] as? String
            sink.examples.append(QAExample(id: id, question: question, answers: answers, title: title, article: title))
        }
    }
}
