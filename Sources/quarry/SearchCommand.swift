import ArgumentParser
import Foundation
import QuarryRetrieval
import QuarryStore
import QuarryText

struct SearchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Find the passages that best match a query: BM25 over the full-text index, dense, or both.",
        discussion: """
            --retriever NAME encodes the query (through prompts/query.txt) with the model that made the cache \
            NAME (or the query encoder of the trained retriever NAME) and scores every cached passage exactly; \
            hybrid:NAME fuses the BM25 and dense rankings by reciprocal rank. A cache that no longer matches its \
            model or the passages is searched anyway, with a warning on stderr.
            """)

    @OptionGroup var store: StoreOptions

    @Argument(help: "The query, as plain words; operators and punctuation are treated as text.")
    var query: String

    @Option(name: [.customShort("k"), .customLong("k")], help: "How many passages to return.")
    var k = 10

    @Flag(help: "Print the results as a JSON list of {passage_id, title, text, score}.")
    var json = false

    @OptionGroup var retrieval: SearchRetrieverOptions

    func validate() throws {
        if k < 1 { throw ValidationError("-k must be at least 1") }
    }

    func run() throws {
        let hits = try retrieve(from: try store.openExistingStore())
        if json {
            try JSONOutput.print(hits.map(SearchHitJSON.init))
        } else {
            printTable(hits)
        }
    }

    /// The ranked passages, by the retriever the options choose.
    private func retrieve(from corpus: CorpusStore) throws -> [RetrievedPassage] {
        let choice = retrieval.choice()
        guard choice != .bm25 else { return try BM25Retriever(store: corpus).retrieve(query, k: k) }
        SentenceEncoder.useAllCores()
        do {
            let retriever = try choice.open(store: corpus, prompts: try retrieval.loadPrompts())
            if !store.quiet { for warning in retriever.warnings { StandardError.write("warning: \(warning)\n") } }
            return try retriever.retrieve(query, k: k)
        } catch {
            StandardError.write("error: \(error)\n")
            throw ExitCode.failure
        }
    }

    private func printTable(_ hits: [RetrievedPassage]) {
        if hits.isEmpty, !store.quiet { StandardError.write("no passage matches\n") }
        for (rank, hit) in hits.enumerated() {
            print("\(rank + 1). [\(String(format: "%.3f", hit.score))] \(hit.title) (passage \(hit.passageID))")
            print("   \(hit.text)\n")
        }
    }
}

/// One search result as `--json` prints it.
struct SearchHitJSON: Encodable {
    var passage_id: Int64
    var title: String
    var text: String
    var score: Double

    init(_ hit: RetrievedPassage) {
        passage_id = hit.passageID
        title = hit.title
        text = hit.text
        score = hit.score
    }
}
