import ArgumentParser
import Foundation
import QuarryRetrieval
import QuarryText

/// How `search` chooses its retriever: `--retriever`, parsed as on every command, except that no value means
/// BM25 here. The flags of earlier releases (`--dense`, `--hybrid`, `--cache`, `--model`) stay one release,
/// hidden, as spellings of a `--retriever` choice.
struct SearchRetrieverOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Retriever: bm25 (the default), an embedding cache or trained retriever name, hybrid (BM25 fused with the cache \"dense\"), or hybrid:NAME.",
        discussion: "A trained retriever's NAME searches the corpus embedded by its trained passage encoder; NAME:corrected the corrected cache it sampled negatives from (an approximation)."))
    var retriever: String?

    @Flag(help: .hidden)
    var dense = false

    @Flag(help: .hidden)
    var hybrid = false

    @Option(help: .hidden)
    var cache: String?

    @Option(help: .hidden)
    var model: String?

    @Option(help: "Folder of prompt templates (default: $QUARRY_PROMPTS, else ./prompts, else the built-in ones).")
    var prompts: String?

    func validate() throws {
        if dense && hybrid { throw ValidationError("choose one of --dense and --hybrid") }
        if retriever?.isEmpty == true { throw ValidationError("--retriever needs a value: bm25, NAME, NAME:corrected, hybrid or hybrid:NAME") }
    }

    /// The retriever these options name. `--dense`/`--hybrid` search `--cache` (default "dense"); `--hybrid`
    /// also fuses a `--retriever` name with BM25; `--model` encodes the query of a plain cache.
    func choice() -> RetrieverChoice {
        var choice: RetrieverChoice
        if let retriever {
            choice = RetrieverChoice(parsing: retriever)
        } else if dense || hybrid {
            choice = .dense(.embeddingCache(name: cache ?? EmbeddingCache.defaultName))
        } else {
            return .bm25
        }
        if hybrid { choice = choice.fusedWithBM25 }
        if let model { choice = choice.withQueryModel(URL(fileURLWithPath: model)) }
        return choice
    }

    func loadPrompts() throws -> Prompts {
        try Prompts.load(from: prompts.map { URL(fileURLWithPath: $0) })
    }
}
