import Foundation
import QuarryText

/// One answered question as `ask --json` prints it.
public struct AnswerRecord: Encodable, Sendable {
    struct AnswerJSON: Encodable, Sendable {
        var answer: String
        var score: Double
        var probability: Double
        var title: String
        var passage_id: Int64?
        var evidence: String
        /// Where the answer lies in the passage text, in Unicode scalars (code points), end exclusive.
        var start: Int
        var end: Int
        var occurrences: Int
    }
    struct PassageJSON: Encodable, Sendable {
        var passage_id: Int64
        var title: String
        var score: Double
    }
    var question: String
    var answer: String?
    var score: Double?
    var probability: Double?
    var title: String?
    var passage_id: Int64?
    var start: Int?
    var end: Int?
    var evidence: String?
    var alternatives: [AnswerJSON]
    var passages: [PassageJSON]
    var retriever: String
    var reader_trained: Bool
    var retrieval_seconds: Double
    var reading_seconds: Double
    var load_seconds: Double

    public init(_ result: AnswerResult, retriever: String, hasReader: Bool, loadSeconds: Double) {
        question = result.question
        let all = result.answers.map {
            AnswerJSON(answer: $0.text, score: $0.logScore, probability: $0.probability, title: $0.passage.title,
                       passage_id: $0.passage.passageID, evidence: $0.evidence,
                       start: $0.passage.text.scalarOffset(ofUTF8Offset: $0.utf8Range.lowerBound),
                       end: $0.passage.text.scalarOffset(ofUTF8Offset: $0.utf8Range.upperBound), occurrences: $0.occurrences)
        }
        answer = all.first?.answer
        score = all.first?.score
        probability = all.first?.probability
        title = all.first?.title
        passage_id = all.first?.passage_id
        start = all.first?.start
        end = all.first?.end
        evidence = all.first?.evidence
        alternatives = Array(all.dropFirst())
        passages = result.retrieved.map { PassageJSON(passage_id: $0.passageID, title: $0.title, score: $0.score) }
        self.retriever = retriever
        reader_trained = hasReader
        retrieval_seconds = result.retrievalSeconds
        reading_seconds = result.readingSeconds
        load_seconds = loadSeconds
    }
}
