import Foundation
import QuarryRetrieval
import QuarryStore
import QuarryText

/// Everything `quarry train reader` does once its questions are chosen: build the supervision (gold
/// paragraphs or retrieved passages), fix the step budget, train with checkpoints, adopt the reading rules
/// the training implies and save the reader in the store. The counterpart of `RetrieverTrainingSession`.
public struct ReaderTrainingSession {
    /// Where each question's passages come from.
    public enum Supervision {
        /// Its own paragraph (else its article's stored passages), with `options.negatives` answerless windows.
        case gold
        /// The retriever's top `k` passages: those holding a gold answer are positives.
        case retrieved(any Retriever, k: Int)
    }

    public var store: CorpusStore
    public var reader: ExtractiveReader
    /// The model or reader folder training starts from, recorded with the reader.
    public var baseModel: String
    public var supervision: Supervision
    public var options: ReaderTrainingOptions
    public var name: String
    /// The run's bounds as given: `options.steps` is set from them and the usable questions (`budget`).
    public var steps: Int?
    public var epochs: Double?
    public var minutes: Double?
    public var resume = false
    public var log: (String) -> Void = { _ in }
    /// Questions retrieved so far (retrieved supervision only).
    public var retrievalProgress: ((Int) -> Void)?

    public init(store: CorpusStore, reader: ExtractiveReader, baseModel: String, supervision: Supervision,
                options: ReaderTrainingOptions, name: String) {
        self.store = store
        self.reader = reader
        self.baseModel = baseModel
        self.supervision = supervision
        self.options = options
        self.name = name
    }

    /// What a run produced.
    public struct Outcome {
        public var folder: URL
        public var metricsURL: URL
        public var stepsReached: Int
        /// Wall time of the whole session.
        public var seconds: Double
    }

    /// Supervises `questions`, trains and saves; `progress` is called after every step.
    public mutating func run(_ questions: [QAExample], progress: ((ReaderTrainingProgress) -> Void)? = nil) throws -> Outcome {
        let started = Date()
        let set = try trainingSet(questions)
        log("\(set.examples.count) of \(questions.count) questions usable (\(set.name)); \(set.skipped) skipped: no answer found in their passages")
        options.budget(steps: steps, epochs: epochs, minutes: minutes, examples: set.examples.count)
        let library = ReaderLibrary(store: store)
        let trainer = try ReaderTrainer(reader: reader, examples: set.examples, options: options, workFolder: library.workFolder(named: name))
        let reached = try trainer.run(resume: resume, progress: progress)
        reader.adoptReadingRules(of: options)
        let folder = try library.save(reader, name: name, baseModel: baseModel, supervision: set.name,
                                      steps: reached, questions: set.examples.count)
        return Outcome(folder: folder, metricsURL: trainer.metricsURL, stepsReached: reached, seconds: Date().timeIntervalSince(started))
    }

    private func trainingSet(_ questions: [QAExample]) throws -> (name: String, examples: [ReaderTrainingExample], skipped: Int) {
        switch supervision {
        case .gold:
            return try ReaderTrainingSet.gold(questions, negatives: options.negatives, store: store)
        case let .retrieved(retriever, k):
            let found = try ReaderTrainingSet.retrieved(questions, retriever: retriever, k: k, progress: retrievalProgress)
            return ("retrieved:\(retriever.name)", found.examples, found.skipped)
        }
    }
}

extension ReaderLibrary {
    /// The reader training starts from, with the folder it came from: the trained reader `from` (a name in
    /// this store or a reader folder; `maxLength`/`maxAnswerTokens` override its windowing), else fresh heads
    /// on the encoder in `modelFolder`.
    public func startingReader(from: String?, modelFolder: () throws -> URL, maxLength: Int?, maxAnswerTokens: Int?,
                               prompts: Prompts, seed: UInt64) throws -> (reader: ExtractiveReader, base: String) {
        guard let from else {
            let modelURL = try modelFolder()
            let configuration = ReaderConfiguration(maxSequenceLength: maxLength ?? 256, maxAnswerTokens: maxAnswerTokens ?? 15)
            return (try ExtractiveReader(modelFolder: modelURL, prompts: prompts, configuration: configuration, seed: seed), modelURL.path)
        }
        let folder = try folder(ofNameOrPath: from)
        var configuration = try ExtractiveReader.savedConfiguration(in: folder)
        if let maxLength { configuration.maxSequenceLength = maxLength }
        if let maxAnswerTokens { configuration.maxAnswerTokens = maxAnswerTokens }
        return (try ExtractiveReader(folder: folder, prompts: prompts, configuration: configuration), folder.path)
    }
}
