import Foundation
import QuarryQA
import QuarryTestSupport
import QuarryText
import XCTest

/// A short training run on real SQuAD-dev gold paragraphs raises EM and F1 on unseen paragraphs over the
/// untrained reader. Meant for release builds (about a minute on two free cores).
final class ReaderLearningTests: XCTestCase {
    func testShortGoldParagraphRunRaisesExactMatchAndF1() throws {
        let model = try TestResources.miniLM()
        let squad = try TestResources.sharedData("squad-dev-v1.1/squad-dev-v1.1.from-explorer.json.gz")
        let examples = try QASetReader().read(squad).examples
        // Train on the first 160 questions; test on 60 questions of later paragraphs, never trained on.
        let train = Array(examples.prefix(160))
        let trainContexts = Set(train.compactMap(\.context))
        let test = Array(examples.dropFirst(160).filter { !trainContexts.contains($0.context ?? "") }.prefix(60))
        XCTAssertEqual(test.count, 60)
        let configuration = ReaderConfiguration(maxSequenceLength: 128, maxAnswerTokens: 15)
        let reader = try ExtractiveReader(modelFolder: model, prompts: Prompts(), configuration: configuration, seed: 1)

        func score() throws -> AnswerScoreTotals {
            let answerer = QuestionAnswerer(retriever: nil, reader: reader)
            var options = EvaluationOptions()
            options.goldContext = true
            return try Evaluator(answerer: answerer, options: options).run(test).answers!
        }
        let before = try score()
        let set = ReaderTrainingSet.goldContext(train)
        XCTAssertEqual(set.skipped, 0, "every SQuAD answer is placed in its paragraph")
        var options = ReaderTrainingOptions()
        options.steps = 40
        options.questionsPerStep = 8
        options.learningRate = 2e-4
        options.headsLearningRateScale = 5
        options.negatives = 0
        options.checkpointEvery = 1000
        options.logEvery = 10
        let work = try TestResources.temporaryDirectory(for: self)
        let started = Date()
        let trainer = try ReaderTrainer(reader: reader, examples: set.examples, options: options, workFolder: work)
        try trainer.run(resume: false)
        let seconds = Date().timeIntervalSince(started)
        let after = try score()
        print(String(format: "reader learning: EM %.1f → %.1f, F1 %.1f → %.1f after %d steps (%.0f s)",
                     before.exactMatch, after.exactMatch, before.f1, after.f1, options.steps, seconds))
        XCTAssertGreaterThan(after.f1, before.f1 + 10)
        XCTAssertGreaterThan(after.exactMatch, before.exactMatch + 5)
        // The metrics log has one line per 10 steps, and the loss came down.
        let lines = try String(contentsOf: trainer.metricsURL, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, 4)
        let losses = try lines.map { try XCTUnwrap((JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["loss"] as? Double) }
        XCTAssertLessThan(losses.last!, losses.first!)
    }
}
