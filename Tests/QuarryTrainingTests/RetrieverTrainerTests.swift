import Foundation
import QuarryModels
import QuarryNN
import QuarryRetrieval
import QuarryStore
import QuarryText
@testable import QuarryTraining
import XCTest

final class RetrieverTrainerTests: XCTestCase {
    /// A short corrected run on the synthetic task lifts top-1 accuracy on its training questions (the tiny
    /// random model cannot be expected to generalise to unseen entity names), and leaves a retriever that
    /// searches its served cache (the corpus embedded by its passage encoder), the corrected one only on request.
    func testShortRunRaisesTopOneAccuracy() throws {
        let fixture = try SyntheticRetrievalFixture(testCase: self)
        var configuration = SyntheticRetrievalFixture.configuration("corrected", steps: 200)
        configuration.evalEvery = 100
        var session = fixture.session(name: "tiny", configuration)
        session.evaluationQA = fixture.trainingQA
        let outcome = try session.run()
        let evaluations = outcome.trainer.evaluations
        XCTAssertEqual(evaluations.map(\.step), [0, 100, 200, 200])
        XCTAssertEqual(evaluations.map(\.index), ["corrected", "corrected", "corrected", "served"])
        let before = evaluations.first!.accuracy.percentage(at: 1)!, after = evaluations[2].accuracy.percentage(at: 1)!
        XCTAssertGreaterThan(after, before + 20, "top-1 went from \(before)% to \(after)%")

        XCTAssertEqual(outcome.servedEvaluation?.index, "served")
        XCTAssertEqual(outcome.servedEvaluation?.step, 200)

        let store = try CorpusStore(url: fixture.databaseURL)
        XCTAssertEqual(try TrainedRetrieverCatalog(database: store.pool).record(named: "tiny")?.strategy, "corrected")
        let served = try DenseRetrieverSource.trainedRetriever(parsing: "tiny").open(store: store, prompts: Prompts())
        XCTAssertEqual([served.name, served.cacheName], ["tiny", "retriever-tiny"])
        XCTAssertEqual(served.warnings, [])
        XCTAssertEqual(try served.retrieve(["what is the secret code of name40"], k: 5)[0].count, 5)
        let corrected = try DenseRetrieverSource.trainedRetriever(parsing: "tiny:corrected").open(store: store, prompts: Prompts())
        XCTAssertEqual([corrected.name, corrected.cacheName], ["tiny:corrected", "retriever-tiny-corrected"])
        for name in ["query/model.safetensors", "passage/model.safetensors", "corrector.safetensors", "config.json",
                     "ledger.json", "metrics.jsonl", "summary.json"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: outcome.folder.appendingPathComponent(name).path), name)
        }
    }

    /// Every passage-encoder pass is counted under its purpose, exactly.
    func testLedgerCountsAreExact() throws {
        let fixture = try SyntheticRetrievalFixture(testCase: self)
        var configuration = SyntheticRetrievalFixture.configuration("refresh:2", steps: 5)
        configuration.probeQuestions = 0
        let outcome = try fixture.session(name: "ledger", configuration).run()
        let ledger = outcome.trainer.progress.ledger, n = fixture.passageCount
        XCTAssertEqual(ledger.entry(.initialCache).passes, n, "embedded once: the store had no cache")
        XCTAssertEqual(ledger.entry(.refresh).passes, 2 * n, "refreshed before steps 3 and 5")
        XCTAssertEqual(ledger.entry(.evaluation).passes, 0, "evaluations search caches, encoding no passage")
        XCTAssertEqual(ledger.entry(.finalEmbedding).passes, n, "one pass for the served cache at the end")
        XCTAssertEqual(ledger.entry(.probe).passes, 0)
        let metrics = try String(contentsOf: outcome.folder.appendingPathComponent("metrics.jsonl"), encoding: .utf8)
        let encoded = try metrics.split(separator: "\n").compactMap { line -> Int? in
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
            return object["kind"] as? String == "step" ? object["passagesEncoded"] as? Int : nil
        }
        XCTAssertEqual(encoded.count, 5)
        XCTAssertEqual(ledger.entry(.trainingStep).passes, encoded.reduce(0, +))
        XCTAssertEqual(ledger.entry(.trainingStep).calls, 5)

        // The initial cache is made by the job `quarry embed` runs: it has a manifest naming the model and length.
        let store = try CorpusStore(url: fixture.databaseURL)
        let saved = try XCTUnwrap(try EmbeddingCacheCatalog(database: store.pool).all().first { $0.name.hasPrefix("dense-") })
        XCTAssertTrue(saved.name.hasSuffix("-t\(configuration.maxPassageTokens)"), saved.name)
        let manifest = try XCTUnwrap(try EmbeddingCacheManifest.load(
            for: EmbeddingCache(name: saved.name, databaseURL: fixture.databaseURL, catalog: EmbeddingCacheCatalog(database: store.pool))))
        XCTAssertEqual(manifest.maxTokens, configuration.maxPassageTokens)
        XCTAssertEqual(manifest.model, fixture.modelFolder.path)
        XCTAssertEqual(saved.rowsCompleted, n)

        // A second run on the same store reuses the cache the first one saved: no initial encoding.
        let again = try fixture.session(name: "again", SyntheticRetrievalFixture.configuration("stale", steps: 1)).run()
        XCTAssertEqual(again.trainer.progress.ledger.entry(.initialCache).passes, 0)
        XCTAssertTrue(again.initialCacheSource.hasPrefix("reused"), again.initialCacheSource)
    }

    /// The share of passages training cuts off, against lengths counted by hand from untruncated tokens.
    func testTruncatedShareCountsPassagesLongerThanTheTrainingLength() throws {
        let fixture = try SyntheticRetrievalFixture(testCase: self, entities: 8, trainEntities: 8, distractors: 4, codeCopies: 1)
        let store = try CorpusStore(url: fixture.databaseURL)
        let tokenizer = try BertTokenizer(modelDirectory: fixture.modelFolder)
        let corpus = try TrainingCorpus.load(store: store, tokenizer: tokenizer, prompts: Prompts(), maxTokens: 10_000)
        let lengths = corpus.tokens.map(\.count)
        let cut = lengths.sorted()[lengths.count / 2]
        let share = try corpus.truncatedShare(store: store, tokenizer: tokenizer, prompts: Prompts(), maxTokens: cut)
        XCTAssertEqual(share, Double(lengths.filter { $0 > cut }.count) / Double(lengths.count), accuracy: 1e-12)
        XCTAssertEqual(try corpus.truncatedShare(store: store, tokenizer: tokenizer, prompts: Prompts(), maxTokens: 10_000), 0)
        XCTAssertEqual(try corpus.truncatedShare(store: store, tokenizer: tokenizer, prompts: Prompts(), maxTokens: 3), 1)
    }

    /// No passage holding a question's answer is ever drawn as its negative, even from a flat distribution
    /// over a corpus where every code occurs in several passages.
    func testAnswerBearingPassagesAreNeverSampled() throws {
        let fixture = try SyntheticRetrievalFixture(testCase: self, entities: 24, trainEntities: 24, distractors: 8, codeCopies: 3)
        let store = try CorpusStore(url: fixture.databaseURL)
        let tokenizer = try BertTokenizer(modelDirectory: fixture.modelFolder)
        let corpus = try TrainingCorpus.load(store: store, tokenizer: tokenizer, prompts: Prompts(), maxTokens: 48)
        let examples = try QASetReader().read(fixture.trainingQA).examples
        let (questions, summary) = try DistantSupervision(bm25Depth: 20).supervise(examples, corpus: corpus, store: store) {
            tokenizer.encode($0.question)
        }
        XCTAssertEqual(summary.supervised, 24)
        XCTAssertTrue(questions.allSatisfy { $0.answerBearing.count >= 2 }, "codes occur in several passages")
        XCTAssertTrue(questions.allSatisfy { $0.answerBearing.contains($0.positive) })
        XCTAssertTrue(questions.allSatisfy { q in q.bm25Negatives.allSatisfy { !q.answerBearing.contains($0) } })

        let encoders = try DualEncoder(modelFolder: fixture.modelFolder, shared: true)
        let cache = try encoders.passage.embed(corpus.tokens)
        var configuration = SyntheticRetrievalFixture.configuration("stale", steps: 200)
        configuration.samples = corpus.count / 2
        configuration.temperature = 1000  // nearly uniform: every passage is likely to be offered
        let trainer = try RetrieverTrainer(configuration: configuration, encoders: encoders, corpus: corpus,
                                           questions: questions, evaluation: [], initialCache: cache)
        var drawn = 0
        var timings = StepTimings()
        for step in 0..<200 {
            let batch = trainer.schedule.batch(at: step).map { questions[$0] }
            let queries = try encoders.query.embed(batch.map(\.queryTokens))
            let negatives = try trainer.drawNegatives(for: batch, queries: queries, step: step, timings: &timings)
            for (question, sampled) in zip(batch, negatives) {
                XCTAssertEqual(sampled.count, configuration.samples)
                XCTAssertTrue(Set(sampled).isDisjoint(with: question.answerBearing))
                drawn += sampled.count
            }
        }
        XCTAssertEqual(drawn, 200 * 8 * configuration.samples)
    }

    /// Corrected sampling among candidates: with every passage a candidate it picks exactly what the full
    /// pass picks; with a few it keeps to the pooled stale top-M, never an answer, always K negatives.
    func testCandidateSamplingMatchesTheFullPassWhenEveryPassageIsACandidate() throws {
        let fixture = try SyntheticRetrievalFixture(testCase: self, entities: 24, trainEntities: 24, distractors: 8, codeCopies: 3)
        var configuration = SyntheticRetrievalFixture.configuration("corrected", steps: 4)
        configuration.sampler = "top-k"
        let session = try fixture.session(name: "full", configuration).run()
        let trainer = session.trainer
        XCTAssertGreaterThan(trainer.progress.correctedCacheRecomputations, 0, "the corrector moved h away from the identity")
        var timings = StepTimings()
        for step in 0..<3 {
            let batch = trainer.schedule.batch(at: step).map { trainer.questions[$0] }
            let queries = try trainer.encoders.query.embed(batch.map(\.queryTokens))
            let full = try trainer.drawNegatives(for: batch, queries: queries, step: 99, timings: &timings)
            let all = trainer.drawCorrectedAmongCandidates(for: batch, queries: queries, candidates: trainer.corpus.count, timings: &timings)
            XCTAssertEqual(all.map(Set.init), full.map(Set.init))

            let few = trainer.drawCorrectedAmongCandidates(for: batch, queries: queries, candidates: 5, timings: &timings)
            var pooled = Set<Int>()
            for (i, question) in batch.enumerated() {
                let stale = (0..<trainer.corpus.count).map { row in
                    (0..<trainer.dimension).reduce(Float(0)) { $0 + queries[i * trainer.dimension + $1] * trainer.cache[row * trainer.dimension + $1] }
                }
                pooled.formUnion(GumbelTopKSampler.topK(scores: stale, k: 5, excluding: Set(question.answerBearing)))
            }
            for (question, sampled) in zip(batch, few) {
                XCTAssertEqual(sampled.count, configuration.samples)
                XCTAssertTrue(Set(sampled).isSubset(of: pooled))
                XCTAssertTrue(Set(sampled).isDisjoint(with: question.answerBearing))
            }
        }
    }

    /// A candidate run corrects no whole cache per step, yet its evaluations, checkpoints and save see h(g′(Y))
    /// as of the last corrector update; killed and resumed it ends where an uninterrupted run ends.
    func testCandidateRunKeepsTheCorrectedCacheCurrentWhereItIsRead() throws {
        let fixture = try SyntheticRetrievalFixture(testCase: self)
        var configuration = SyntheticRetrievalFixture.configuration("corrected", steps: 6)
        configuration.correctCandidates = 10
        configuration.checkpointEvery = 2
        configuration.evalEvery = 2
        let whole = try fixture.session(name: "whole", configuration).run()
        let trainer = whole.trainer
        let corrector = try XCTUnwrap(trainer.corrector)
        var expected = [Float](repeating: 0, count: trainer.cache.count)
        expected.withUnsafeMutableBufferPointer { corrector.network.apply(to: trainer.cache, rows: trainer.corpus.count, into: $0.baseAddress!) }
        XCTAssertEqual(trainer.correctedCache, expected, "the saved corrected cache follows the final corrector")
        XCTAssertEqual(trainer.progress.correctedCacheRecomputations, 3, "at the evaluations of steps 2, 4 and 6; checkpoints and the save reuse them")

        var interrupted = fixture.session(name: "resumed", configuration)
        interrupted.stopAfter = 3
        _ = try interrupted.run()
        interrupted.stopAfter = nil
        interrupted.resume = true
        let resumed = try interrupted.run()
        XCTAssertEqual(values(whole.trainer.encoders.query.store), values(resumed.trainer.encoders.query.store))
        XCTAssertEqual(trainer.correctedCache, resumed.trainer.correctedCache)
    }

    /// A run stopped after step 3 (its last checkpoint at step 2) and resumed ends with exactly the
    /// parameters of an uninterrupted run.
    func testKilledAndResumedRunMatchesAnUninterruptedOne() throws {
        for negatives in ["corrected", "refresh:2"] {
            let fixture = try SyntheticRetrievalFixture(testCase: self)
            var configuration = SyntheticRetrievalFixture.configuration(negatives, steps: 6)
            configuration.checkpointEvery = 2
            configuration.evalEvery = 2
            let whole = try fixture.session(name: "whole", configuration).run()

            var interrupted = fixture.session(name: "resumed", configuration)
            interrupted.stopAfter = 3
            let first = try interrupted.run()
            XCTAssertFalse(first.finished)
            XCTAssertEqual(first.trainer.progress.step, 3)
            interrupted.stopAfter = nil
            interrupted.resume = true
            let resumed = try interrupted.run()
            XCTAssertTrue(resumed.finished)

            XCTAssertEqual(values(whole.trainer.encoders.query.store), values(resumed.trainer.encoders.query.store), negatives)
            if let a = whole.trainer.corrector, let b = resumed.trainer.corrector {
                XCTAssertEqual(values(a.network.store), values(b.network.store))
            }
            XCTAssertEqual(whole.trainer.searchMatrix, resumed.trainer.searchMatrix)
            XCTAssertEqual(whole.trainer.progress.random, resumed.trainer.progress.random)
            XCTAssertEqual(whole.trainer.progress.ledger.entry(.refresh).passes, resumed.trainer.progress.ledger.entry(.refresh).passes)
            let steps = try String(contentsOf: resumed.folder.appendingPathComponent("metrics.jsonl"), encoding: .utf8)
                .split(separator: "\n").filter { $0.contains("\"kind\":\"step\"") }.count
            XCTAssertEqual(steps, 6, "the steps after the checkpoint were logged once")
        }
    }

    func testStrategiesParse() throws {
        XCTAssertEqual(try NegativeStrategy(parsing: "refresh:25"), .refresh(every: 25))
        XCTAssertEqual(try NegativeStrategy(parsing: "in-batch"), .inBatch)
        XCTAssertEqual(NegativeStrategy.refresh(every: 25).fileName, "refresh-25")
        XCTAssertThrowsError(try NegativeStrategy(parsing: "refresh:0"))
        XCTAssertThrowsError(try NegativeStrategy(parsing: "fresh"))
    }

    private func values(_ store: QuarryNN.ParameterStore) -> [Float] {
        Array(UnsafeBufferPointer(start: store.values, count: store.count))
    }
}
