import Foundation

/// The templates that turn questions and passages into model inputs, read from a directory at run time:
/// `query.txt` (placeholder `{question}`), `passage.txt` (`{title}`, `{text}`) and `reader.txt`
/// (`{question}`, `{title}`, `{text}`, with a `[SEP]` line between the question part and the passage part,
/// which become the two segments of the reader's pair input).
///
/// The defaults match how sentence-transformers is used with all-MiniLM-L6-v2: the query is the question
/// as it is; a passage is its title, a line break, then its text (the tokenizer reads the break as a space,
/// so this is "title text", as BEIR feeds sentence-transformers models); an empty title leaves the text alone.
public struct Prompts: Sendable, Equatable {
    public var query: PromptTemplate
    public var passage: PromptTemplate
    /// The question segment of the reader input.
    public var readerQuestion: PromptTemplate
    /// The passage segment of the reader input.
    public var readerPassage: PromptTemplate

    static let queryPlaceholders: Set<String> = ["question"]
    static let passagePlaceholders: Set<String> = ["title", "text"]
    static let readerPlaceholders: Set<String> = ["question", "title", "text"]

    /// The built-in defaults, identical to the repository's `prompts/` files.
    public static let defaultTexts: [String: String] = [
        "query.txt": "{question}\n",
        "passage.txt": "{title}\n{text}\n",
        "reader.txt": "{question}\n[SEP]\n{title}\n{text}\n",
    ]

    /// Templates from `directory`; a file missing there falls back to its built-in default.
    public init(directory: URL) throws {
        func text(_ name: String) throws -> (String, String) {
            let url = directory.appendingPathComponent(name)
            guard FileManager.default.fileExists(atPath: url.path) else { return (Prompts.defaultTexts[name]!, "built-in \(name)") }
            do { return (try String(contentsOf: url, encoding: .utf8), url.path) } catch {
                throw PromptError.unreadable(source: url.path, reason: error.localizedDescription)
            }
        }
        let (queryText, querySource) = try text("query.txt")
        let (passageText, passageSource) = try text("passage.txt")
        let (readerText, readerSource) = try text("reader.txt")
        try self.init(query: (queryText, querySource), passage: (passageText, passageSource), reader: (readerText, readerSource))
    }

    /// The built-in defaults.
    public init() {
        let t = Prompts.defaultTexts
        // The built-in texts are fixed and valid.
        try! self.init(query: (t["query.txt"]!, "built-in query.txt"), passage: (t["passage.txt"]!, "built-in passage.txt"),
                       reader: (t["reader.txt"]!, "built-in reader.txt"))
    }

    private init(query: (String, String), passage: (String, String), reader: (String, String)) throws {
        self.query = try PromptTemplate(query.0, source: query.1, allowed: Prompts.queryPlaceholders)
        self.passage = try PromptTemplate(passage.0, source: passage.1, allowed: Prompts.passagePlaceholders)
        var readerLines = reader.0.components(separatedBy: "\n")
        guard let separator = readerLines.firstIndex(where: { $0.trimmingCharacters(in: .whitespaces) == "[SEP]" }) else {
            throw PromptError.missingSeparator(source: reader.1)
        }
        let questionPart = readerLines[..<separator].joined(separator: "\n")
        readerLines.removeSubrange(...separator)
        readerQuestion = try PromptTemplate(questionPart, source: reader.1, allowed: Prompts.readerPlaceholders)
        // Line numbers in messages about the passage part count from the [SEP] line.
        readerPassage = try PromptTemplate(readerLines.joined(separator: "\n"), source: "\(reader.1) (after [SEP])",
                                           allowed: Prompts.readerPlaceholders)
    }

    /// Where templates are read from by default: `$QUARRY_PROMPTS`, else `prompts/` in the current directory,
    /// else the `prompts/` folder of the source tree this was built from, when those exist.
    public static var defaultDirectory: URL? {
        if let path = ProcessInfo.processInfo.environment["QUARRY_PROMPTS"] { return URL(fileURLWithPath: path) }
        let local = URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent("prompts")
        if FileManager.default.fileExists(atPath: local.path) { return local }
        let tree = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("prompts")
        return FileManager.default.fileExists(atPath: tree.path) ? tree : nil
    }

    /// Templates from `directory`, or from `defaultDirectory`, or the built-in defaults.
    public static func load(from directory: URL? = nil) throws -> Prompts {
        if let directory = directory ?? defaultDirectory { return try Prompts(directory: directory) }
        return Prompts()
    }

    /// The query encoder's input for a question.
    public func renderQuery(_ question: String) -> String {
        query.render(["question": question]).text
    }

    /// The passage encoder's input.
    public func renderPassage(title: String?, text: String) -> String {
        passage.render(["title": title ?? "", "text": text]).text
    }

    /// The reader's two segments; `passage.ranges["text"]` locates the passage text inside the second.
    public func renderReader(question: String, title: String?, text: String) -> (question: RenderedPrompt, passage: RenderedPrompt) {
        let values = ["question": question, "title": title ?? "", "text": text]
        return (readerQuestion.render(values), readerPassage.render(values))
    }
}
