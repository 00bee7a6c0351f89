import ArgumentParser
import Foundation
import QuarryQA
import QuarryRetrieval
import QuarryStore

struct AskCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ask",
        abstract: "Answer a question from the stored passages, with its evidence.",
        discussion: """
            Without a question, reads questions from standard input, one per line (with a "? " prompt on a terminal).
            Before a reader is trained, prints the passages the retriever ranks best and says how to train one.
            """)

    @OptionGroup var store: StoreOptions
    @OptionGroup var precisionOptions: PrecisionOptions
    @OptionGroup var answering: AnsweringOptions

    @Argument(help: "The question (omit to read questions from standard input).")
    var question: String?

    @Option(name: [.customShort("k"), .customLong("k")], help: "Passages retrieved (and listed when there is no reader).")
    var k = 10

    @Option(help: "Alternative answers shown after the best one.")
    var alternatives = 3

    @Flag(help: "Print each answer as one JSON object.")
    var json = false

    func validate() throws {
        if k < 1 { throw ValidationError("-k must be at least 1") }
        if alternatives < 0 { throw ValidationError("--alternatives cannot be negative") }
    }

    func run() throws {
        precisionOptions.apply(quiet: store.quiet)
        do { try answerAll() } catch let error as ValidationError { throw error } catch {
            StandardError.write("error: \(error)\n")
            throw ExitCode.failure
        }
    }

    private func answerAll() throws {
        let loadStart = Date()
        let corpus = try store.openStore()
        let prompts = try answering.retrieval.prompts()
        let retriever = try answering.retrieval.openRetriever(corpus, prompts: prompts, quiet: store.quiet || json)
        let reader = try answering.openReader(corpus, prompts: prompts)?.reader
        let answerer = QuestionAnswerer(retriever: retriever, reader: reader, retrieveDepth: k, readDepth: answering.readDepth(for: reader, fallback: k))
        answerer.answerLimit = alternatives + 1
        let loadSeconds = Date().timeIntervalSince(loadStart)
        if let question {
            try answer(question, with: answerer, loadSeconds: loadSeconds)
            return
        }
        let interactive = isatty(STDIN_FILENO) == 1
        while true {
            if interactive { FileHandle.standardOutput.write(Data("? ".utf8)) }
            guard let line = readLine() else { break }
            let text = line.trimmingCharacters(in: .whitespaces)
            if text.isEmpty { continue }
            try answer(text, with: answerer, loadSeconds: loadSeconds)
        }
    }

    private func answer(_ question: String, with answerer: QuestionAnswerer, loadSeconds: Double) throws {
        let result = try answerer.answer([question])[0]
        if json {
            try JSONOutput.print(AnswerRecord(result, retriever: answerer.retriever?.name ?? "", hasReader: answerer.reader != nil,
                                         loadSeconds: loadSeconds))
            return
        }
        answerer.textLines(of: result, verbose: !store.quiet).forEach { print($0) }
    }
}
