import Foundation
import QuarryModels
import QuarryNN
import QuarryQA
import QuarryText
import QuarryTestSupport
import XCTest

/// The reader loss's analytic gradients (heads, and through them the encoder) against central finite
/// differences on a tiny random BERT.
final class ReaderGradientTests: XCTestCase {
    private func tinyReader() throws -> ExtractiveReader {
        let words = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "who", "what", "built", "the", "tower", "bridge", "river", "in",
                     "paris", "london", "by", "eiffel", "stone", "old", "new", "city", "was", "is", "a", "of", "##s", "."]
        let tokenizer = try BertTokenizer(vocabulary: WordPieceVocabulary(tokens: words), maxLength: 32)
        let config = BertConfig(vocabularySize: words.count, hiddenSize: 8, layers: 2, heads: 2, intermediateSize: 16,
                                maxPositions: 32, layerNormEpsilon: 1e-5)
        let encoder = BertEncoder(config: config, seed: 3)
        // Larger weights than BERT's 0.02 so the logits vary and every path carries gradient.
        var rng = Xoshiro256(seed: 5)
        for p in encoder.store.parameters where p.shape.count >= 2 {
            rng.fillNormal(encoder.store.value(p), count: p.count, std: 0.3)
        }
        let configuration = ReaderConfiguration(maxSequenceLength: 24, maxQuestionTokens: 6, windowOverlap: 4, maxAnswerTokens: 4)
        let reader = try ExtractiveReader(encoder: encoder, tokenizer: tokenizer, prompts: Prompts(), configuration: configuration, seed: 9)
        rng.fillNormal(reader.heads.store.values, count: reader.heads.store.count, std: 0.5)
        return reader
    }

    private func items(_ reader: ExtractiveReader) -> [ReaderTrainingItem] {
        let q1 = reader.inputs.windows(question: "who built the tower", passage: ReaderPassage(title: "paris", text: "the tower was built by eiffel in paris"), passageIndex: 0)
        let n1 = reader.inputs.windows(question: "who built the tower", passage: ReaderPassage(title: "london", text: "a bridge of stone in london"), passageIndex: 1)
        let n2 = reader.inputs.windows(question: "who built the tower", passage: ReaderPassage(title: "river", text: "the old river is new"), passageIndex: 2)
        let q2 = reader.inputs.windows(question: "what city", passage: ReaderPassage(title: "", text: "paris is a city of towers and london is a city"), passageIndex: 0)
        let s1 = q1[0].textPositions.lowerBound + 5    // "eiffel"
        let s2 = q2[0].textPositions.lowerBound         // "paris" … and "london" (two gold places)
        let london = q2[0].textPositions.lowerBound + 8
        return [ReaderTrainingItem(windows: [q1[0], n1[0], n2[0]], starts: [s1], ends: [s1]),
                ReaderTrainingItem(windows: [q2[0]], starts: [s2, london], ends: [s2, london])]
    }

    func testHeadAndEncoderGradientsMatchFiniteDifferences() throws {
        try checkGradients(normalization: .window)
    }

    func testSharedNormalisationGradientsMatchFiniteDifferences() throws {
        try checkGradients(normalization: .shared)
    }

    private func checkGradients(normalization: SpanScoringRule.Normalization) throws {
        let reader = try tinyReader()
        let items = items(reader)
        let stores = [reader.heads.store, reader.encoder.store]
        for s in stores { s.zeroGradients() }
        let parts = try ReaderLoss.run(items, reader: reader, questions: 2, backward: true, normalization: normalization)
        XCTAssertGreaterThan(parts.relevance, 0)
        XCTAssertGreaterThan(parts.start, 0)
        XCTAssertGreaterThan(parts.end, 0)
        func loss() throws -> Double {
            try ReaderLoss.run(items, reader: reader, questions: 2, backward: false, normalization: normalization).total
        }
        var checked = 0, worst = 0.0
        var rng = Xoshiro256(seed: 17)
        for (s, store) in stores.enumerated() {
            // Every head parameter; a random sample of the encoder's.
            let indices = s == 0 ? Array(0..<store.count) : (0..<60).map { _ in Int(rng.next() % UInt64(store.count)) }
            for i in indices {
                let analytic = Double(store.gradients[i])
                let numeric = try FiniteDifference.derivative(of: store.values, at: i, loss: loss)
                let error = abs(analytic - numeric) / max(1e-2, abs(analytic) + abs(numeric))
                worst = max(worst, error)
                XCTAssertLessThan(error, 0.05, "store \(s) index \(i): analytic \(analytic), numeric \(numeric)")
                checked += 1
            }
        }
        XCTAssertEqual(checked, reader.heads.store.count + 60)
        // The loss must actually depend on the heads: some head gradient is well away from zero.
        XCTAssertGreaterThan((0..<reader.heads.store.count).map { abs(reader.heads.store.gradients[$0]) }.max()!, 1e-2)
    }

    func testMarginalLossOverSeveralGoldPlacesIsBelowEachSingleOne() throws {
        let reader = try tinyReader()
        let item = items(reader)[1]
        let both = try ReaderLoss.run([item], reader: reader, questions: 1, backward: false).start
        var first = item; first.starts = [item.starts[0]]
        var second = item; second.starts = [item.starts[1]]
        let a = try ReaderLoss.run([first], reader: reader, questions: 1, backward: false).start
        let b = try ReaderLoss.run([second], reader: reader, questions: 1, backward: false).start
        // −log(p1 + p2) = −log(e^−a + e^−b)
        XCTAssertEqual(both, -log(exp(-a) + exp(-b)), accuracy: 1e-4)
    }

    func testSharedNormalisationAddsTheOtherWindowsToThePartition() throws {
        let reader = try tinyReader()
        let withNegatives = items(reader)[0]
        var alone = withNegatives
        alone.windows = [withNegatives.windows[0]]
        let window = try ReaderLoss.run([withNegatives], reader: reader, questions: 1, backward: false, normalization: .window)
        let shared = try ReaderLoss.run([withNegatives], reader: reader, questions: 1, backward: false, normalization: .shared)
        let single = try ReaderLoss.run([alone], reader: reader, questions: 1, backward: false, normalization: .shared)
        // The negatives' text tokens join the softmax: the gold share can only fall.
        XCTAssertGreaterThan(shared.start, window.start + 1e-6)
        XCTAssertGreaterThan(shared.end, window.end + 1e-6)
        XCTAssertEqual(shared.relevance, window.relevance, accuracy: 1e-9)
        // With one window the two normalisations are the same loss.
        XCTAssertEqual(single.start, window.start, accuracy: 1e-6)
        XCTAssertEqual(single.end, window.end, accuracy: 1e-6)
    }
}

/// Checkpoints: a run stopped part-way and resumed ends at the same step with one metrics log.
final class ReaderCheckpointTests: XCTestCase {
    private let words = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "who", "built", "the", "tower", "eiffel", "in", "paris", "by", "was"]

    private func reader() throws -> ExtractiveReader {
        let tokenizer = try BertTokenizer(vocabulary: WordPieceVocabulary(tokens: words), maxLength: 32)
        let config = BertConfig(vocabularySize: words.count, hiddenSize: 8, layers: 1, heads: 2, intermediateSize: 16, maxPositions: 32)
        return try ExtractiveReader(encoder: BertEncoder(config: config, seed: 1), tokenizer: tokenizer, prompts: Prompts(),
                                    configuration: ReaderConfiguration(maxSequenceLength: 24, maxQuestionTokens: 6, windowOverlap: 2, maxAnswerTokens: 4))
    }

    private var example: ReaderTrainingExample {
        let text = "the tower was built by eiffel in paris"
        let eiffel = text.range(of: "eiffel")!
        let lower = text.utf8.distance(from: text.utf8.startIndex, to: eiffel.lowerBound)
        return ReaderTrainingExample(question: "who built the tower", passages: [ReaderPassage(title: "paris", text: text)],
                                     answerRanges: [[lower..<(lower + 6)]])
    }

    /// Two questions a step, no checkpoint but the one a stopped run writes.
    private static func options(steps: Int, logEvery: Int) -> ReaderTrainingOptions {
        var options = ReaderTrainingOptions()
        options.steps = steps
        options.questionsPerStep = 2
        options.logEvery = logEvery
        options.checkpointEvery = 100
        return options
    }

    /// A run folder from before checkpoints were folders: --resume says so instead of starting over silently;
    /// a fresh run clears the old files.
    func testCheckpointOfAnEarlierFormatIsRefusedOnResumeAndClearedOnAFreshRun() throws {
        let work = try TestResources.temporaryDirectory(for: self)
        for name in ["checkpoint.safetensors", "optimizer-encoder.step-4.safetensors"] {
            try Data("old".utf8).write(to: work.appendingPathComponent(name))
        }
        let options = Self.options(steps: 2, logEvery: 2)
        XCTAssertThrowsError(try ReaderTrainer(reader: try reader(), examples: [example], options: options, workFolder: work).run(resume: true)) {
            XCTAssertTrue("\($0)".contains("format of an earlier Quarry"), "\($0)")
        }
        XCTAssertEqual(try ReaderTrainer(reader: try reader(), examples: [example], options: options, workFolder: work).run(resume: false), 2)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: work.path).sorted(), ["checkpoint", "metrics.jsonl"])
    }

    func testStoppedRunResumesFromItsCheckpoint() throws {
        var options = Self.options(steps: 6, logEvery: 2)
        let work = try TestResources.temporaryDirectory(for: self)
        let first = try reader()
        XCTAssertEqual(try ReaderTrainer(reader: first, examples: [example], options: options, workFolder: work).run(resume: false, until: 4), 4)
        let trainer = try ReaderTrainer(reader: try reader(), examples: [example], options: options, workFolder: work)
        XCTAssertEqual(try trainer.run(resume: true), 6)
        let steps = try String(contentsOf: trainer.metricsURL, encoding: .utf8).split(separator: "\n").map {
            (try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any])["step"] as! Int
        }
        XCTAssertEqual(steps, [2, 4, 6])
        // With the optimisers' moments restored, the resumed run ends where an uninterrupted one does.
        let whole = try reader()
        XCTAssertEqual(try ReaderTrainer(reader: whole, examples: [example], options: options,
                                         workFolder: try TestResources.temporaryDirectory(for: self).appendingPathComponent("whole")).run(resume: false), 6)
        func weights(_ r: ExtractiveReader) -> [Float] {
            [r.encoder.store, r.heads.store].flatMap { Array(UnsafeBufferPointer(start: $0.values, count: $0.count)) }
        }
        let difference = zip(weights(trainer.reader), weights(whole)).map { abs($0 - $1) }.max() ?? 1
        XCTAssertEqual(difference, 0, "largest weight difference between the resumed and the uninterrupted run")
        let files = try FileManager.default.contentsOfDirectory(atPath: trainer.checkpointFolder.url.path).sorted()
        XCTAssertEqual(files, ["arrays.safetensors", "optimizer-encoder.safetensors", "optimizer-heads.safetensors", "state.json"],
                       "one checkpoint: weights, moments and state together")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: work.path).sorted(), ["checkpoint", "metrics.jsonl"], "no leftovers")
        // A run of another shape refuses the checkpoint instead of mixing runs.
        options.steps = 8
        let other = try ReaderTrainer(reader: try reader(), examples: [example], options: options, workFolder: work)
        XCTAssertThrowsError(try other.run(resume: true))
    }

    /// A killed run may have logged steps past its last checkpoint, and a metrics line averages the steps
    /// since the one before: the resumed run drops the extra lines and logs the same means as a run never stopped.
    func testResumedRunLogsWhatAnUninterruptedRunLogs() throws {
        let options = Self.options(steps: 8, logEvery: 4)
        let work = try TestResources.temporaryDirectory(for: self)
        let first = try ReaderTrainer(reader: try reader(), examples: [example], options: options, workFolder: work)
        XCTAssertEqual(try first.run(resume: false, until: 3), 3)
        // What a run killed after logging step 4 (and before its next checkpoint) leaves behind.
        let handle = try FileHandle(forWritingTo: first.metricsURL)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("{\"loss\": 1, \"step\": 4}\n".utf8))
        try handle.close()
        let resumed = try ReaderTrainer(reader: try reader(), examples: [example], options: options, workFolder: work)
        XCTAssertEqual(try resumed.run(resume: true), 8)
        let whole = try ReaderTrainer(reader: try reader(), examples: [example], options: options,
                                      workFolder: try TestResources.temporaryDirectory(for: self).appendingPathComponent("whole"))
        XCTAssertEqual(try whole.run(resume: false), 8)
        func lines(_ trainer: ReaderTrainer) throws -> [NSDictionary] {
            try String(contentsOf: trainer.metricsURL, encoding: .utf8).split(separator: "\n").map {
                var object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
                object["seconds"] = nil
                object["questions_per_second"] = nil
                return object as NSDictionary
            }
        }
        XCTAssertEqual(try lines(resumed), try lines(whole))
        XCTAssertEqual(try lines(whole).map { $0["step"] as? Int }, [4, 8])
    }
}
