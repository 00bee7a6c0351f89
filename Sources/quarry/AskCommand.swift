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
        let reader = try answering.openReader(corpus, prompts: prompts)
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
        print("Q: \(question)")
        if answerer.reader == nil {
            if !store.quiet {
                print("No reader is trained yet, so here are the passages \(answerer.retriever?.name ?? "the retriever") ranks best.")
                print("Train one with `quarry train reader --qa FILE` (add --gold-context for SQuAD files).")
            }
            printPassages(result.retrieved)
            return
        }
        guard let best = result.answers.first else {
            print(result.retrieved.isEmpty ? "No passage matches the question." : "No answer found in the \(min(result.retrieved.count, answerer.readDepth)) passages read.")
            return
        }
        print("A: \(best.text)   (score \(String(format: "%.3f", best.logScore)), p = \(String(format: "%.3f", best.probability))\(best.occurrences > 1 ? ", found \(best.occurrences) times" : ""))")
        print("   from \(best.passage.title.isEmpty ? "untitled" : best.passage.title)\(best.passage.passageID.map { " (passage \($0))" } ?? "")")
        print("   \(best.evidence)")
        let rest = result.answers.dropFirst()
        if !rest.isEmpty {
            print("Alternatives:")
            for (i, other) in rest.enumerated() {
                print("   \(i + 2). \(other.text)   (p = \(String(format: "%.3f", other.probability))) — \(other.passage.title)")
            }
        }
        if !store.quiet {
            print(String(format: "(retrieval %.0f ms", 1000 * result.retrievalSeconds) + " with \(answerer.retriever?.name ?? "-")"
                  + String(format: ", reading %.0f ms)", 1000 * result.readingSeconds))
        }
        print("")
    }

    private func printPassages(_ passages: [RetrievedPassage]) {
        if passages.isEmpty { print("No passage matches the question."); return }
        for (rank, p) in passages.enumerated() {
            print("\(rank + 1). [\(String(format: "%.3f", p.score))] \(p.title) (passage \(p.passageID))")
            print("   \(p.text.count > 300 ? String(p.text.prefix(300)) + "…" : p.text)")
        }
        print("")
    }
}
