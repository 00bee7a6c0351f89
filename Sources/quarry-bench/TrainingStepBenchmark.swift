import Foundation
import QuarryModels
import QuarryNN
import QuarryStore
import QuarryText
import QuarryTraining

/// Times training steps of the corrected strategy on a real store and model, phase by phase, to report the
/// share of a step spent scoring the cache, sampling and running the corrector. The cache rows are random
/// unit vectors, not g′(Y): the phases' cost does not depend on the values, and embedding a 10,000-passage
/// corpus first would take longer than the measurement. Never use this for accuracy.
///
/// `rows` pads the corpus to that many rows (1M, say) with copies of its passages under new ids, which the
/// step never encodes unless sampled: the cost of scoring, sampling and correcting a corpus of that size is
/// measured without ingesting or tokenising one. `correctCandidates` is the trainer's setting of that name.
struct TrainingStepBenchmark {
    var database: URL
    var model: URL
    var qa: URL
    var steps: Int
    var batch: Int
    var samples: Int
    var maxPassageTokens: Int
    var rows = 0
    var correctCandidates = 0

    func run() throws {
        let store = try CorpusStore(url: database)
        let tokenizer = try BertTokenizer(modelDirectory: model)
        let real = try TrainingCorpus.load(store: store, tokenizer: tokenizer, prompts: Prompts(), maxTokens: maxPassageTokens)
        let examples = try QASetReader().read(qa).examples
        let (questions, _) = try DistantSupervision(bm25Depth: 20).supervise(
            Array(examples.prefix(steps * batch)), corpus: real, store: store) { tokenizer.encode($0.question, maxLength: 64) }
        // Supervised on the real rows, which keep their indices at the head of the padded corpus.
        let corpus = padded(real)
        let encoders = try DualEncoder(modelFolder: model, shared: false)
        let d = encoders.dimension
        var rng = Xoshiro256(seed: 1)
        var cache = [Float](repeating: 0, count: corpus.count * d)
        cache.withUnsafeMutableBufferPointer { rng.fillNormal($0.baseAddress!, count: $0.count, std: 1) }
        for r in 0..<corpus.count {
            let row = cache.withUnsafeMutableBufferPointer { $0.baseAddress! + r * d }
            BLAS.scale(d, alpha: 1 / BLAS.dot(d, row, row).squareRoot(), x: row)
        }
        var configuration = RetrieverTrainingConfiguration()
        configuration.steps = steps
        configuration.batchSize = batch
        configuration.samples = samples
        configuration.maxPassageTokens = maxPassageTokens
        configuration.correctCandidates = correctCandidates
        let trainer = try RetrieverTrainer(configuration: configuration, encoders: encoders, corpus: corpus, questions: questions,
                                           evaluation: [], initialCache: cache)
        print("passages \(corpus.count)\(rows > 0 ? " (padded)" : ""), correct candidates \(correctCandidates), questions \(questions.count), batch \(batch), samples \(samples), max passage tokens \(maxPassageTokens)")
        print("step  total_s  query_fwd  scoring  sampling  passage_fwd  loss  backward  optimizer  corrector  share%")
        var totals = StepTimings()
        for _ in 0..<steps {
            let t = try trainer.step().timings
            totals.add(t)
            print(String(format: "%4d  %7.3f  %9.3f  %7.4f  %8.4f  %11.3f  %4.3f  %8.3f  %9.3f  %9.4f  %6.2f", trainer.progress.step,
                         t.total, t.queryForward, t.scoring, t.sampling, t.passageForward, t.loss, t.backward, t.optimizer,
                         t.corrector, 100 * t.samplingShare))
        }
        let n = Double(steps)
        print(String(format: "mean  %7.3f s/step; scoring %.1f ms, sampling %.1f ms, corrector %.1f ms: %.2f%% of the step",
                     totals.total / n, 1000 * totals.scoring / n, 1000 * totals.sampling / n, 1000 * totals.corrector / n,
                     100 * totals.samplingShare))
    }

    /// The corpus followed by copies of its rows up to `rows` (their tokens shared, not copied).
    private func padded(_ corpus: TrainingCorpus) -> TrainingCorpus {
        guard rows > corpus.count else { return corpus }
        let first = (corpus.passageIDs.max() ?? 0) + 1
        let extra = rows - corpus.count
        // Answer containment is read when supervising, done on the real rows: the padding holds no text.
        return TrainingCorpus(passageIDs: corpus.passageIDs + (0..<Int64(extra)).map { first + $0 },
                              tokens: corpus.tokens + (0..<extra).map { corpus.tokens[$0 % corpus.count] },
                              containment: AnswerContainmentIndex(passages: repeatElement("", count: rows)))
    }
}
