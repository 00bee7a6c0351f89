import ArgumentParser
import Foundation
import QuarryRetrieval
import QuarryText

/// How `search` (and later `ask` and `eval`) choose a dense retriever.
struct DenseSearchOptions: ParsableArguments {
    @Flag(help: "Rank by the dense retriever (an embedding cache made by `quarry embed`).")
    var dense = false

    @Flag(help: "Fuse the BM25 and dense rankings by reciprocal rank.")
    var hybrid = false

    @Option(help: "The embedding cache to search.")
    var cache = EmbeddingCache.defaultName

    @Option(help: ArgumentHelp(
        "A retriever trained by `quarry train retriever`: its query encoder over the corpus embedded by its trained passage encoder.",
        discussion: "NAME:corrected searches the corrected cache it sampled negatives from instead (an approximation)."))
    var retriever: String?

    @Option(help: "Encode the query with this model folder instead of the one that made the cache.")
    var model: String?

    @Option(help: "Folder of prompt templates (default: $QUARRY_PROMPTS, else ./prompts, else the built-in ones).")
    var prompts: String?

    /// The retriever these options name.
    func source() -> DenseRetrieverSource {
        if let retriever { return .trainedRetriever(parsing: retriever) }
        return .embeddingCache(name: cache, model: model.map { URL(fileURLWithPath: $0) })
    }

    func loadPrompts() throws -> Prompts {
        try Prompts.load(from: prompts.map { URL(fileURLWithPath: $0) })
    }
}
