import Foundation
import QuarryText

/// Answers predicted elsewhere, to be scored against a QA set: either JSON lines with `answer` and `id` or
/// `question`, or the official `{"id": "answer", …}` object (plain or gzip).
public struct PredictionFile: Sendable {
    public var byID: [String: String] = [:]
    /// Keyed by the question text with surrounding whitespace trimmed.
    public var byQuestion: [String: String] = [:]

    public init(byID: [String: String] = [:], byQuestion: [String: String] = [:]) {
        self.byID = byID
        self.byQuestion = byQuestion
    }

    /// Writes the official `{"id": "answer", …}` file (keys sorted) of `byID`.
    public func writeOfficial(to path: String) throws {
        let file = try OutputFile(path: path)
        try file.write(try JSONSerialization.data(withJSONObject: byID, options: [.sortedKeys]))
        try file.close()
    }

    /// Reads a predictions file; a malformed line is an error naming the file and the line.
    public init(contentsOf url: URL) throws {
        let file = try CompressedTextFile(path: url.path)
        let head = try file.peek(1 << 16)
        let firstLine = head.drop { [0x20, 0x09, 0x0A, 0x0D].contains($0) }.prefix { $0 != 0x0A }
        if let object = try? JSONSerialization.jsonObject(with: Data(firstLine)) as? [String: Any], object["answer"] != nil {
            try readLines(file)
        } else {
            try readOfficial(file)
        }
    }

    private mutating func readLines(_ file: CompressedTextFile) throws {
        while let line = try file.nextLine() {
            if line.allSatisfy({ $0 == " " || $0 == "\t" }) { continue }
            let place = "\(file.lineNumber)"
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                throw QASetError.malformed(path: file.path, place: place, reason: "not a JSON object")
            }
            guard let answer = object["answer"] as? String else {
                throw QASetError.malformed(path: file.path, place: place, reason: "no \"answer\" string")
            }
            let id = object["id"].map { "\($0)" }
            let question = object["question"] as? String
            guard id != nil || question != nil else {
                throw QASetError.malformed(path: file.path, place: place, reason: "neither \"id\" nor \"question\"")
            }
            if let id { byID[id] = answer }
            if let question { byQuestion[question.trimmingCharacters(in: .whitespacesAndNewlines)] = answer }
        }
    }

    private mutating func readOfficial(_ file: CompressedTextFile) throws {
        let value: Any
        do { value = try JSONSerialization.jsonObject(with: file.readRemaining()) } catch let error as QASetError {
            throw error
        } catch {
            throw QASetError.malformed(path: file.path, place: "JSON", reason: "neither JSON lines with \"answer\" nor a JSON object (\(error.localizedDescription))")
        }
        guard let object = value as? [String: Any] else {
            throw QASetError.malformed(path: file.path, place: "top level", reason: "expected an {\"id\": \"answer\"} object")
        }
        for (id, answer) in object {
            guard let text = answer as? String else {
                throw QASetError.malformed(path: file.path, place: "\"\(id)\"", reason: "the answer is not a string")
            }
            byID[id] = text
        }
    }

    /// The prediction for a question: by id first, then by question text.
    public func answer(for example: QAExample) -> String? {
        byID[example.id] ?? byQuestion[example.question.trimmingCharacters(in: .whitespacesAndNewlines)]
    }

    /// EM and F1 over every question of `examples`; questions without a prediction score 0.
    public func score(_ examples: [QAExample]) -> AnswerScoreTotals {
        var totals = AnswerScoreTotals()
        for example in examples { totals.add(prediction: answer(for: example), gold: example.answers) }
        return totals
    }
}
