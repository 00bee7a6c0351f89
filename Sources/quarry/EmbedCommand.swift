import ArgumentParser
import Foundation
import QuarryRetrieval
import QuarryText
import QuarryTraining

struct EmbedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed",
        abstract: "Embed every passage of the store into a named cache that dense search memory-maps.",
        discussion: """
            Each passage goes through the passage template (prompts/passage.txt: title, then text) and is \
            truncated to the model's token limit. The cache records the hash of the weights that made it, so \
            `quarry stats` and `quarry search` can tell when it no longer matches its model or the passages. \
            A killed run resumes where it stopped; passages ingested since the last run are added.

            --retriever NAME embeds with a trained retriever's passage encoder into its served cache \
            (retriever-NAME), the cache `--retriever NAME` searches: after `train retriever --no-final-embed`, \
            a killed final embedding, or an ingest that added passages.

            \(StoreOptions.writerLockHelp)
            """)

    @OptionGroup var store: StoreOptions
    @OptionGroup var precisionOptions: PrecisionOptions

    @Option(help: "The model folder (config.json, vocab.txt, model.safetensors).")
    var model: String?

    @Option(help: "The cache's name, which is also the retriever's name for search, ask and eval.")
    var name = EmbeddingCache.defaultName

    @Option(help: "A trained retriever whose served cache to build or bring up to date, with its passage encoder (instead of --model).")
    var retriever: String?

    @Option(help: "Passages encoded together.")
    var batch = 32

    @Option(name: .customLong("max-tokens"), help: "Token limit per passage, special tokens included (default: the model's).")
    var maxTokens: Int?

    @Option(help: "Folder of prompt templates (default: $QUARRY_PROMPTS, else ./prompts, else the built-in ones).")
    var prompts: String?

    @Flag(help: "Print the summary as JSON.")
    var json = false

    @Option(name: .customLong("window"), help: .hidden)
    var window: Int?

    func validate() throws {
        if (model == nil) == (retriever == nil) { throw ValidationError("give either --model or --retriever") }
        if retriever != nil && (name != EmbeddingCache.defaultName || maxTokens != nil || prompts != nil) {
            throw ValidationError("--retriever embeds as training serves: no --name, --max-tokens or --prompts")
        }
        if batch < 1 { throw ValidationError("--batch must be at least 1") }
        if let window, window < 1 { throw ValidationError("--window must be at least 1") }
        if let maxTokens, maxTokens < 3 { throw ValidationError("--max-tokens must be at least 3") }
    }

    func run() throws {
        precisionOptions.apply(quiet: store.quiet)
        let cacheName = retriever.map(RetrieverLibrary.cacheName(for:)) ?? name
        let lock = try store.writerLock(for: "embed " + (retriever.map { "--retriever \($0)" } ?? "--name \(name)"))
        defer { withExtendedLifetime(lock) {} }
        SentenceEncoder.useAllCores()
        do {
            let corpus = try store.openStore()
            var line = ProgressLine()
            let progress: ((EmbeddingProgress) -> Void)? = store.showsProgress ? { line.show($0.progressText(cache: cacheName)) } : nil
            let summary: EmbeddingSummary
            if let retriever {
                summary = try RetrieverLibrary(store: corpus).embedServedCache(name: retriever, batchSize: batch, progress: progress)
            } else {
                let job = try PassageEmbeddingJob(
                    store: corpus, cacheName: name, encoder: try SentenceEncoder(modelFolder: URL(fileURLWithPath: model!)),
                    prompts: try Prompts.load(from: prompts.map { URL(fileURLWithPath: $0) }), maxTokens: maxTokens)
                job.batchSize = batch
                job.windowSize = window ?? max(256, batch * 8)
                summary = try job.run(progress: progress)
            }
            line.finish()
            try report(summary)
        } catch let error as ExitCode {
            throw error
        } catch {
            StandardError.write("error: \(error)\n")
            throw ExitCode.failure
        }
    }

    private func report(_ summary: EmbeddingSummary) throws {
        if let reason = summary.restartReason, !store.quiet {
            StandardError.write("note: cache \(summary.cacheName) was rebuilt from the start: \(reason)\n")
        }
        if json {
            try JSONOutput.print(EmbeddingSummaryRecord(summary))
        } else if !store.quiet {
            print("""
                cache \(summary.cacheName): \(summary.rows) passages (\(summary.added) embedded now\
                \(summary.resumedFrom > 0 ? ", \(summary.resumedFrom) kept from before" : "")) in \
                \(String(format: "%.1f", summary.seconds)) s, \(String(format: "%.1f", summary.passagesPerSecond)) passages/s
                """)
        }
    }
}
