import Foundation

/// TSV / CSV (DPR style): a question column and an answers column holding a JSON list, a Python list
/// literal (`['a', "b"]`, as DPR's files have), or `|`-separated answers. A first row with a field named
/// `question` is a header naming the columns (`question`, `answers` or `answer`, optional `id`; a leading `#`
/// and words after the first are ignored); without
/// one, column 1 is the question and column 2 the answers. Fields may be double-quoted (RFC 4180), also
/// across lines.
enum DelimitedFormat {
    static func read(_ file: CompressedTextFile, separator: UInt8, into sink: inout RowSink) throws {
        var columns = (question: 0, answers: 1, id: Int?.none)
        var first = true
        while let (fields, line) = try nextRecord(file, separator: separator, sink: &sink) {
            if fields.count == 1 && fields[0].isEmpty { continue }
            if first {
                first = false
                let names = fields.map(columnName)
                if let question = names.firstIndex(of: "question") {
                    guard let answers = names.firstIndex(of: "answers") ?? names.firstIndex(of: "answer") else {
                        throw QASetError.malformed(path: file.path, place: "\(line)", reason: "the header has no answers column")
                    }
                    columns = (question, answers, names.firstIndex(of: "id"))
                    continue
                }
            }
            guard fields.count > max(columns.question, columns.answers) else {
                try sink.malformed("\(line)", "expected at least \(max(columns.question, columns.answers) + 1) fields, found \(fields.count)")
                continue
            }
            let question = fields[columns.question]
            guard !question.isEmpty else { try sink.malformed("\(line)", "empty question"); continue }
            guard let answers = parseAnswers(fields[columns.answers]) else {
                try sink.malformed("\(line)", "the answers field is neither a list nor |-separated text")
                continue
            }
            if answers.isEmpty { sink.unanswerable += 1; continue }
            let id = columns.id.flatMap { $0 < fields.count ? fields[$0] : nil } ?? "line \(line)"
            sink.examples.append(QAExample(id: id, question: question, answers: answers))
        }
    }

    /// A header field's name: lower-cased, a leading `#` and anything after the first word dropped, so that
    /// `# article` and `answers (| separates alternatives)` name `article` and `answers`.
    private static func columnName(_ field: String) -> String {
        var name = field.trimmingCharacters(in: .whitespaces).lowercased()
        if name.hasPrefix("#") { name = name.dropFirst().trimmingCharacters(in: .whitespaces) }
        return String(name.prefix { $0.isLetter || $0.isNumber || $0 == "_" })
    }

    /// The fields of the next record and the line it starts on; nil at the end of the file.
    private static func nextRecord(_ file: CompressedTextFile, separator: UInt8,
                                   sink: inout RowSink) throws -> ([String], Int)? {
        guard var line = try file.nextLine() else { return nil }
        let start = file.lineNumber
        while true {
            if let fields = split(Array(line.utf8), separator: separator) { return (fields, start) }
            guard let more = try file.nextLine() else {
                try sink.malformed("\(start)", "a quoted field is not closed before the end of the file")
                return nil
            }
            line += "\n" + more
        }
    }

    /// Splits one record; nil when a quoted field is still open at the end (it continues on the next line).
    static func split(_ bytes: [UInt8], separator: UInt8) -> [String]? {
        var fields: [String] = []
        var field: [UInt8] = []
        var i = 0
        var atFieldStart = true
        while i < bytes.count {
            let b = bytes[i]
            if atFieldStart && b == 0x22 {
                // Quoted field: up to the closing quote, "" standing for one quote.
                i += 1
                var closed = false
                while i < bytes.count {
                    if bytes[i] == 0x22 {
                        if i + 1 < bytes.count && bytes[i + 1] == 0x22 { field.append(0x22); i += 2; continue }
                        closed = true; i += 1; break
                    }
                    field.append(bytes[i]); i += 1
                }
                if !closed { return nil }
                atFieldStart = false
                continue
            }
            if b == separator {
                fields.append(String(decoding: field, as: UTF8.self))
                field.removeAll(keepingCapacity: true)
                atFieldStart = true
            } else {
                field.append(b)
                atFieldStart = false
            }
            i += 1
        }
        fields.append(String(decoding: field, as: UTF8.self))
        return fields
    }

    /// A JSON list, a Python list literal, or `|`-separated answers (each trimmed, empty ones dropped).
    static func parseAnswers(_ field: String) -> [String]? {
        let trimmed = field.trimmingCharacters(in: .whitespaces)
        if trimmed.hasPrefix("[") {
            if let value = try? JSONSerialization.jsonObject(with: Data(trimmed.utf8), options: [.fragmentsAllowed]),
               let answers = answerStrings(value) {
                return answers
            }
            return PythonListLiteral.strings(trimmed)
        }
        return trimmed.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}

/// The list-of-strings subset of Python literals: `['a', "b", 'it\'s']`.
enum PythonListLiteral {
    static func strings(_ text: String) -> [String]? {
        let s = Array(text.unicodeScalars)
        var i = 0
        func skipSpaces() { while i < s.count && s[i].properties.isWhitespace { i += 1 } }
        skipSpaces()
        guard i < s.count && s[i] == "[" else { return nil }
        i += 1
        var items: [String] = []
        skipSpaces()
        if i < s.count && s[i] == "]" { i += 1; skipSpaces(); return i == s.count ? [] : nil }
        while true {
            skipSpaces()
            guard i < s.count, s[i] == "'" || s[i] == "\"" else { return nil }
            let quote = s[i]
            i += 1
            var item = String.UnicodeScalarView()
            var closed = false
            while i < s.count {
                let c = s[i]
                if c == quote { closed = true; i += 1; break }
                if c == "\\" && i + 1 < s.count {
                    guard let (scalar, used) = escape(s, i + 1) else { return nil }
                    item.append(scalar); i += 1 + used
                    continue
                }
                item.append(c); i += 1
            }
            guard closed else { return nil }
            items.append(String(item))
            skipSpaces()
            guard i < s.count else { return nil }
            if s[i] == "," { i += 1; skipSpaces(); if i < s.count && s[i] == "]" { i += 1; break }; continue }
            if s[i] == "]" { i += 1; break }
            return nil
        }
        skipSpaces()
        return i == s.count ? items : nil
    }

    /// The scalar of the escape starting at `s[i]` (after the backslash) and how many scalars it used.
    private static func escape(_ s: [Unicode.Scalar], _ i: Int) -> (Unicode.Scalar, Int)? {
        switch s[i] {
        case "n": return ("\n", 1)
        case "t": return ("\t", 1)
        case "r": return ("\r", 1)
        case "x", "u", "U":
            let digits = s[i] == "x" ? 2 : s[i] == "u" ? 4 : 8
            guard i + digits < s.count, let value = UInt32(String(String.UnicodeScalarView(s[(i + 1)...(i + digits)])), radix: 16),
                  let scalar = Unicode.Scalar(value) else { return nil }
            return (scalar, 1 + digits)
        default: return (s[i], 1)
        }
    }
}
