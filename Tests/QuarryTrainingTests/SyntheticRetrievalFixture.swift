import Foundation
import QuarryModels
import QuarryStore
import QuarryTestSupport
import QuarryText
@testable import QuarryTraining
import XCTest

/// A small made-up retrieval task and a tiny random BERT to learn it, so training tests run in seconds.
///
/// Entity i has one passage stating its secret code, `code<i>`, among filler words; the question is
/// "what is the secret code of name<i>". Entities 0..<trainEntities are for training, the rest for
/// evaluation; distractor passages hold no code at all. The encoders share one vocabulary.
struct SyntheticRetrievalFixture {
    let folder: URL
    let databaseURL: URL
    let modelFolder: URL
    let trainingQA: URL
    let evaluationQA: URL
    let passageCount: Int

    static let filler = ["river", "stone", "apple", "cloud", "green", "quiet", "seven", "paper", "window", "garden",
                         "music", "winter", "orange", "bridge", "silver", "forest", "candle", "mirror", "yellow", "planet"]

    init(testCase: XCTestCase, entities: Int = 48, trainEntities: Int = 32, distractors: Int = 40,
         codeCopies: Int = 1, seed: UInt64 = 7) throws {
        folder = try TestResources.temporaryDirectory(for: testCase)
        databaseURL = folder.appendingPathComponent("corpus.sqlite")
        modelFolder = folder.appendingPathComponent("tiny-bert")
        trainingQA = folder.appendingPathComponent("train.jsonl")
        evaluationQA = folder.appendingPathComponent("test.jsonl")

        let words = ["what", "is", "the", "secret", "code", "of", "has", "and", "a", "member", "club", "."]
        let vocabulary = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + words + Self.filler
            + (0..<entities).map { "name\($0)" } + (0..<entities).map { "code\($0)" }
        try FileManager.default.createDirectory(at: modelFolder, withIntermediateDirectories: true)
        let config = BertConfig(vocabularySize: vocabulary.count, hiddenSize: 32, layers: 2, heads: 2, intermediateSize: 64,
                                maxPositions: 64)
        let encoder = BertEncoder(config: config, seed: seed)
        encoder.maxSequenceLength = 64
        try encoder.save(to: modelFolder)
        try (vocabulary.joined(separator: "\n") + "\n").write(to: modelFolder.appendingPathComponent("vocab.txt"),
                                                               atomically: true, encoding: .utf8)

        var rng = SamplerRandom(seed: seed)
        func fill(_ n: Int) -> String { (0..<n).map { _ in Self.filler.randomElement(using: &rng)! }.joined(separator: " ") }
        var passages: [String] = []
        for i in 0..<entities {
            for copy in 0..<codeCopies {
                let subject = copy == 0 ? "name\(i)" : "name\((i + copy * 7) % entities)"
                passages.append("\(fill(4)) \(subject) is a member of the club . the secret code of \(subject) has code\(i) \(fill(4))")
            }
        }
        for _ in 0..<distractors { passages.append("\(fill(6)) name\(Int.random(in: 0..<entities, using: &rng)) \(fill(6))") }
        passages.shuffle(using: &rng)
        passageCount = passages.count
        let store = try CorpusStore(url: databaseURL)
        try store.writeBatch { writer in
            for (i, text) in passages.enumerated() {
                try writer.addDocument(source: "synthetic", externalID: "\(i)", title: "", contentHash: "\(i)", passages: [text])
            }
        }
        func qa(_ range: Range<Int>, _ question: (Int) -> String) -> String {
            range.map { "{\"question\": \"\(question($0))\", \"answers\": [\"code\($0)\"]}" }.joined(separator: "\n") + "\n"
        }
        try qa(0..<trainEntities) { "what is the secret code of name\($0)" }.write(to: trainingQA, atomically: true, encoding: .utf8)
        try qa(trainEntities..<entities) { "what is the secret code of name\($0)" }.write(to: evaluationQA, atomically: true, encoding: .utf8)
    }

    /// Settings that train the tiny model quickly.
    static func configuration(_ negatives: String = "corrected", steps: Int = 6) -> RetrieverTrainingConfiguration {
        var c = RetrieverTrainingConfiguration()
        c.negatives = negatives
        c.steps = steps
        c.batchSize = 8
        c.samples = 3
        c.learningRate = 1e-3
        c.warmupSteps = 5
        c.sharedEncoders = true
        c.correctorWidth = 32
        c.maxPassageTokens = 48
        c.maxQueryTokens = 16
        c.evalEvery = 0
        c.checkpointEvery = 0
        c.probeQuestions = 4
        c.probeCandidates = 10
        c.probeK = 3
        c.bm25Depth = 20
        return c
    }

    func session(name: String, _ configuration: RetrieverTrainingConfiguration) -> RetrieverTrainingSession {
        RetrieverTrainingSession(databaseURL: databaseURL, modelFolder: modelFolder, trainingQA: trainingQA,
                                 evaluationQA: evaluationQA, name: name, configuration: configuration)
    }
}
