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
            --dense encodes the query (through prompts/query.txt) with the model that made the cache and scores
            every cached passage exactly; --hybrid fuses the BM25 and dense rankings by reciprocal rank. A cache
            that no longer matches its model or the passages is searched anyway, with a warning on stderr.
            """)

    @OptionGroup var store: StoreOptions

    @Argument(help: "The query, as plain words; operators and punctuation are treated as text.")
    var query: String

    @Option(name: [.customShort("k"), .customLong("k")], help: "How many passages to return.")
    var k = 10

    @Flag(help: "Print the results as a JSON list of {passage_id, title, text, score}.")
    var json = false

    @OptionGroup var dense: DenseSearchOptions

    func validate() throws {
        if k < 1 { throw ValidationError("-k must be at least 1") }
        if dense.dense && dense.hybrid { throw ValidationError("choose one of --dense and --hybrid") }
    }

    func run() throws {
        let hits = try retrieve(from: try store.openExistingStore())
        if json {
            try JSONOutput.print(hits.map(SearchHitJSON.init))
        } else {
            printTable(hits)
        }
    }

    /// The ranked passages: the one place a new retriever plugs in.
    private func retrieve(from corpus: CorpusStore) throws -> [PassageHit] {
        guard dense.dense || dense.hybrid || dense.retriever != nil else { return try corpus.bm25Search(query: query, k: k) }
        SentenceEncoder.useAllCores()
        do {
            let retriever = try dense.source().open(store: corpus, prompts: try dense.loadPrompts())
            if !store.quiet { for warning in retriever.warnings { StandardError.write("warning: \(warning)\n") } }
            if dense.hybrid { return try PassageSearch.hybrid(query, retriever: retriever, store: corpus, k: k) }
            return try PassageSearch.dense(query, retriever: retriever, store: corpus, k: k)
        } catch {
            StandardError.write("error: \(error)\n")
            throw ExitCode.failure
        }
    }

    private func printTable(_ hits: [PassageHit]) {
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

    init(_ hit: PassageHit) {
        passage_id = hit.passageID
        title = hit.title
        text = hit.text
        score = hit.score
    }
}
