import Foundation
import QuarryModels
import QuarryQA
import QuarryTestSupport
import QuarryText
import XCTest

/// Reader inputs map answer spans back to the exact characters of the passage, Unicode included.
final class ReaderSpanTests: XCTestCase {
    private func tokenizer() throws -> BertTokenizer {
        try BertTokenizer(modelDirectory: TestResources.miniLM())
    }

    private func utf8Range(of needle: String, in text: String) -> Range<Int> {
        let range = text.range(of: needle)!
        let lower = text.utf8.distance(from: text.utf8.startIndex, to: range.lowerBound)
        return lower..<(lower + needle.utf8.count)
    }

    func testSpansMapBackToTheExactUnicodeText() throws {
        let builder = ReaderInputBuilder(tokenizer: try tokenizer(), prompts: Prompts(), configuration: ReaderConfiguration())
        let text = "Le café « Zum Schwarzen Kameel » à Wien, fondé en 1618, sert des Käsespätzle; 東京タワー est à Tōkyō. Naïve Ωmega — ok 🎉 fin."
        let passage = ReaderPassage(title: "Çà et là", text: text)
        let windows = builder.windows(question: "Où est 東京タワー ?", passage: passage, passageIndex: 0)
        XCTAssertEqual(windows.count, 1)
        let window = windows[0]
        for answer in ["Zum Schwarzen Kameel", "Wien", "1618", "Käsespätzle", "東京タワー", "Tōkyō", "Naïve Ωmega", "🎉", "café"] {
            let range = utf8Range(of: answer, in: text)
            let span = try XCTUnwrap(window.tokenSpan(covering: range), answer)
            XCTAssertLessThanOrEqual(span.upperBound - span.lowerBound, 10)
            let mapped = window.utf8Range(from: span.lowerBound, through: span.upperBound)
            XCTAssertEqual(String(text.substring(utf8Offsets: mapped)), answer, "span of \(answer)")
        }
        // Title tokens are not answer positions: the text run starts after them.
        let titleTokens = try tokenizer().tokenize("Çà et là").ids.count
        let questionEnd = window.ids.firstIndex(of: try tokenizer().sepID)!
        XCTAssertEqual(window.textPositions.lowerBound, questionEnd + 1 + titleTokens)
        XCTAssertEqual(window.ids[window.textPositions.upperBound], try tokenizer().sepID)
    }

    func testLongPassagesAreReadInOverlappingWindowsThatAllMapBack() throws {
        let config = ReaderConfiguration(maxSequenceLength: 48, maxQuestionTokens: 16, windowOverlap: 8, maxAnswerTokens: 15)
        let builder = ReaderInputBuilder(tokenizer: try tokenizer(), prompts: Prompts(), configuration: config)
        let text = (1...60).map { "Wört\($0) über" }.joined(separator: " ")
        let windows = builder.windows(question: "Welches Wort?", passage: ReaderPassage(title: "", text: text), passageIndex: 3)
        XCTAssertGreaterThan(windows.count, 2)
        var covered = Set<Int>()
        for window in windows {
            XCTAssertEqual(window.passageIndex, 3)
            XCTAssertLessThanOrEqual(window.ids.count, 48)
            for (i, offsets) in window.textOffsets.enumerated() {
                covered.insert(offsets.lowerBound)
                let p = window.textPositions.lowerBound + i
                XCTAssertEqual(window.utf8Range(from: p, through: p), offsets)
            }
        }
        let target = utf8Range(of: "Wört57 über", in: text)
        let holding = windows.filter { $0.tokenSpan(covering: target) != nil }
        XCTAssertFalse(holding.isEmpty)
        for window in holding {
            let span = window.tokenSpan(covering: target)!
            XCTAssertEqual(String(text.substring(utf8Offsets: window.utf8Range(from: span.lowerBound, through: span.upperBound))), "Wört57 über")
        }
        XCTAssertTrue(covered.contains(0))
    }

    func testSpanScoringPicksTheLogitPeakAndMergesRepeatedAnswers() throws {
        let builder = ReaderInputBuilder(tokenizer: try tokenizer(), prompts: Prompts(), configuration: ReaderConfiguration())
        let passages = [ReaderPassage(passageID: 7, title: "A", text: "The river Ütze flows into the Aller near Celle."),
                        ReaderPassage(passageID: 9, title: "B", text: "Celle lies on the Aller; the Ütze joins it.")]
        var windows: [ReaderWindow] = []
        for (i, p) in passages.enumerated() { windows += builder.windows(question: "Which river?", passage: p, passageIndex: i) }
        // Peaks on "Aller" in both passages, and on "Celle" in the first only.
        var logits: [WindowLogits] = []
        for (w, window) in windows.enumerated() {
            var start = [Float](repeating: 0, count: window.ids.count), end = start
            let text = passages[window.passageIndex].text
            let aller = window.tokenSpan(covering: utf8Range(of: "Aller", in: text))!
            start[aller.lowerBound] = 8; end[aller.upperBound] = 8
            if w == 0 {
                let celle = window.tokenSpan(covering: utf8Range(of: "Celle", in: text))!
                start[celle.lowerBound] = 8.5; end[celle.upperBound] = 8.5
            }
            logits.append(WindowLogits(start: start, end: end, relevance: 0))
        }
        let candidates = SpanScoring.candidates(windows: windows, logits: logits, maxAnswerTokens: 15)
        // Every span starts and ends on a word boundary, never inside a word's pieces ("Ütze" is "ut ##ze").
        for c in candidates {
            let bytes = Array(passages[c.passageIndex].text.utf8)
            func isWordByte(_ i: Int) -> Bool { i >= 0 && i < bytes.count && (bytes[i] >= 0x80 || (bytes[i] | 0x20) >= 0x61 && (bytes[i] | 0x20) <= 0x7A) }
            XCTAssertFalse(isWordByte(c.utf8Range.lowerBound - 1) && isWordByte(c.utf8Range.lowerBound), "\(c)")
            XCTAssertFalse(isWordByte(c.utf8Range.upperBound - 1) && isWordByte(c.utf8Range.upperBound), "\(c)")
        }
        XCTAssertTrue(windows[0].continuesWord.contains(true), "the passages hold words of several pieces")
        let answers = SpanScoring.merge(candidates, passages: passages)
        // "Celle" wins inside passage A alone, but "Aller" is found in both and its merged probability is higher.
        XCTAssertEqual(answers.first?.text, "Aller")
        // Both passages' "Aller" spans, plus spans such as "the Aller" that normalise the same way.
        XCTAssertGreaterThanOrEqual(answers.first?.occurrences ?? 0, 2)
        XCTAssertEqual(answers.first?.best.passageIndex, 1, "the best single span is in B, where nothing competes")
        XCTAssertTrue(answers.contains { $0.text == "Celle" })
        let total = answers.reduce(0) { $0 + $1.probability }
        XCTAssertLessThanOrEqual(total, 1.0001, "merged probabilities are a (sub-)distribution")
        XCTAssertEqual(EvidenceSentence.marked(passages[1].text, answer: answers[0].best.utf8Range), "Celle lies on the «Aller»; the Ütze joins it.")
    }

    func testSharedNormalisationComparesLogitsAcrossWindows() throws {
        let builder = ReaderInputBuilder(tokenizer: try tokenizer(), prompts: Prompts(), configuration: ReaderConfiguration())
        let passages = [ReaderPassage(passageID: 1, title: "A", text: "Hanover is the capital of Lower Saxony."),
                        ReaderPassage(passageID: 2, title: "B", text: "Celle was the seat of the dukes of Lüneburg.")]
        let windows = passages.enumerated().flatMap { builder.windows(question: "Which city?", passage: $0.element, passageIndex: $0.offset) }
        XCTAssertEqual(windows.count, 2)
        // A: a sharp peak on low logits (gap 3); B: a smaller gap (2) on logits high everywhere.
        var logits: [WindowLogits] = []
        for (w, window) in windows.enumerated() {
            let city = w == 0 ? "Hanover" : "Celle"
            let span = window.tokenSpan(covering: utf8Range(of: city, in: passages[w].text))!
            var start = [Float](repeating: w == 0 ? 0 : 6, count: window.ids.count), end = start
            start[span.lowerBound] = w == 0 ? 3 : 8
            end[span.upperBound] = w == 0 ? 3 : 8
            logits.append(WindowLogits(start: start, end: end, relevance: w == 0 ? 1 : 0))
        }
        func best(_ rule: SpanScoringRule) -> ReaderAnswer? {
            SpanScoring.merge(SpanScoring.candidates(windows: windows, logits: logits, maxAnswerTokens: 15, rule: rule),
                              passages: passages).first
        }
        // Per window, each window is sure of its own peak and the sharper one wins; shared, the higher logits win.
        XCTAssertEqual(best(SpanScoringRule("window")!)?.text, "Hanover")
        XCTAssertEqual(best(.shared)?.text, "Celle")
        // The best span's score is its start and end log-probabilities under one softmax over both windows' text.
        let starts = windows.indices.flatMap { w in windows[w].textPositions.map { Double(logits[w].start[$0]) } }
        let logZ = log(starts.reduce(0) { $0 + exp($1) })    // start and end logits are alike here
        let plain = SpanScoring.candidates(windows: windows, logits: logits, maxAnswerTokens: 15, rule: .shared)
        XCTAssertEqual(plain.map(\.logScore).max()!, 2 * (8 - logZ), accuracy: 1e-9)
        // Relevance adds log_softmax over the windows: exactly log σ(1) for A's best span.
        let withRelevance = SpanScoring.candidates(windows: windows, logits: logits, maxAnswerTokens: 15,
                                                   rule: SpanScoringRule("shared+relevance")!)
        let a = plain.filter { $0.windowIndex == 0 }.max { $0.logScore < $1.logScore }!
        let b = withRelevance.filter { $0.windowIndex == 0 }.max { $0.logScore < $1.logScore }!
        XCTAssertEqual(b.logScore - a.logScore, -log(1 + exp(-1.0)), accuracy: 1e-9)

        // Retrieval scores 30 (A) and 10 (B) standardise to +1 and -1: weight 0.75 lifts A's spans by 0.75 and
        // lowers B's by 0.75, whatever the scale of the scores, which turns the shared rule's answer to A.
        let scored = zip(passages, [30.0, 10.0]).map { ReaderPassage(passageID: $0.passageID, title: $0.title, text: $0.text, retrievalScore: $1) }
        let retrieval = SpanScoring.standardizedRetrievalScores(scored)
        XCTAssertEqual(retrieval, [1, -1])
        let small = SpanScoring.standardizedRetrievalScores(zip(passages, [0.3, 0.1]).map {
            ReaderPassage(title: $0.title, text: $0.text, retrievalScore: $1) })
        for (z, expected) in zip(small, [1.0, -1.0]) { XCTAssertEqual(z, expected, accuracy: 1e-12, "scale-free") }
        XCTAssertEqual(SpanScoring.standardizedRetrievalScores(passages), [0, 0], "no scores: the reader alone")
        let mixedRule = SpanScoringRule("shared+retrieval:0.75")!
        let mixed = SpanScoring.candidates(windows: windows, logits: logits, maxAnswerTokens: 15, rule: mixedRule, retrieval: retrieval)
        for (p, m) in zip(plain, mixed) { XCTAssertEqual(m.logScore - p.logScore, p.windowIndex == 0 ? 0.75 : -0.75, accuracy: 1e-9) }
        let gap = plain.filter { $0.windowIndex == 1 }.map(\.logScore).max()! - a.logScore
        XCTAssertEqual(SpanScoring.merge(SpanScoring.candidates(windows: windows, logits: logits, maxAnswerTokens: 15,
                                                                rule: .shared.withRetrievalWeight(gap / 2 + 0.01), retrieval: retrieval),
                                         passages: scored).first?.text, "Hanover")
    }

    func testSpanScoringRulesParseAndReadersWithoutOneScorePerWindow() throws {
        XCTAssertEqual(SpanScoringRule.all.map(\.description), ["window+relevance", "window", "shared", "shared+relevance"])
        for rule in SpanScoringRule.all { XCTAssertEqual(SpanScoringRule(rule.description), rule) }
        for bad in ["", "relevance", "shared+", "window+relevance+relevance", "Shared", "retrieval:1", "shared+retrieval:-1",
                    "shared+retrieval:x", "shared+retrieval:1+relevance"] { XCTAssertNil(SpanScoringRule(bad), bad) }
        let weighted = SpanScoringRule("window+relevance+retrieval:0.5")!
        XCTAssertEqual(weighted, SpanScoringRule.windowRelevance.withRetrievalWeight(0.5))
        XCTAssertEqual(weighted.description, "window+relevance+retrieval:0.5")
        XCTAssertEqual(SpanScoringRule("shared+retrieval:0"), .shared)
        let old = #"{"max_sequence_length": 192, "max_question_tokens": 64, "window_overlap": 62, "max_answer_tokens": 15}"#
        let decoded = try JSONDecoder().decode(ReaderConfiguration.self, from: Data(old.utf8))
        XCTAssertEqual(decoded.spanScoring, .windowRelevance, "readers saved before the rule was recorded were trained per window")
        var shared = decoded
        shared.spanScoring = .shared
        let again = try JSONDecoder().decode(ReaderConfiguration.self, from: JSONEncoder().encode(shared))
        XCTAssertEqual(again, shared)
        let unknown = #"{"max_sequence_length": 192, "max_question_tokens": 64, "window_overlap": 62, "max_answer_tokens": 15, "span_scoring": "global"}"#
        XCTAssertThrowsError(try JSONDecoder().decode(ReaderConfiguration.self, from: Data(unknown.utf8)))
    }

    func testAnswerLocatorFindsNormalisedWholeWordMatches() {
        let text = "In 1889, the Eiffel tower (Tour Eiffel) opened; Eiffel towers are rare. Zürich's “Großmünster”."
        let found = AnswerLocator.occurrences(of: ["The Eiffel Tower"], in: text).map { String(text.substring(utf8Offsets: $0)) }
        XCTAssertEqual(found, ["Eiffel tower"])
        XCTAssertEqual(AnswerLocator.occurrences(of: ["1889"], in: text).map { String(text.substring(utf8Offsets: $0)) }, ["1889"])
        XCTAssertEqual(AnswerLocator.occurrences(of: ["tower"], in: text).count, 1, "towers is another word")
        XCTAssertEqual(AnswerLocator.occurrences(of: ["Zürich's"], in: text).map { String(text.substring(utf8Offsets: $0)) }, ["Zürich's"])
        XCTAssertTrue(AnswerLocator.occurrences(of: ["the"], in: text).isEmpty, "an answer normalising to nothing matches nothing")
        let context = "Tōkyō Tower, 333 m"
        let start = "Tōkyō ".unicodeScalars.count
        XCTAssertEqual(AnswerLocator.range(of: "Tower", atScalarOffset: start, in: context).map { String(context.substring(utf8Offsets: $0)) }, "Tower")
        XCTAssertNil(AnswerLocator.range(of: "Tower", atScalarOffset: start + 1, in: context))
    }

    func testEvidenceSentenceMarksTheAnswerInItsSentence() {
        let text = "First sentence here. The Ütze joins the Aller near Celle. Last one!"
        let range = utf8Range(of: "Aller", in: text)
        XCTAssertEqual(EvidenceSentence.marked(text, answer: range), "The Ütze joins the «Aller» near Celle.")
    }
}

final class SpanScoringTuningTests: XCTestCase {
    private func totals(_ pairs: [(String, String)]) -> AnswerScoreTotals {
        var totals = AnswerScoreTotals()
        for (prediction, gold) in pairs { totals.add(prediction: prediction, gold: [gold]) }
        return totals
    }

    func testComparedRulesAndTheBestRuleChangesOnlyForAGain() {
        let own = SpanScoringRule.shared
        let compared = SpanScoringTuning.comparedRules(own, retrieved: true).map(\.description)
        XCTAssertEqual(compared, ["window+relevance", "window", "shared+relevance", "shared+retrieval:0.25", "shared+retrieval:0.5",
                                  "shared+retrieval:1", "shared+retrieval:2"])
        XCTAssertFalse(SpanScoringTuning.comparedRules(own, retrieved: false).contains { $0.retrievalWeight > 0 })
        let right = totals([("Paris", "Paris"), ("Rome", "Rome")]), half = totals([("Paris", "Paris"), ("Oslo", "Rome")])
        let tie = SpanScoringTuning.best(own: own, ownTotals: right, compared: [.windowRelevance: right])
        XCTAssertEqual(tie.rule, own, "a tie keeps the reader's own rule")
        let gain = SpanScoringTuning.best(own: own, ownTotals: half, compared: [.windowRelevance: half, own.withRetrievalWeight(1): right])
        XCTAssertEqual(gain.rule, own.withRetrievalWeight(1))
        XCTAssertEqual(gain.totals.exactMatch, 100)
    }
}

final class ReaderTrainingBudgetTests: XCTestCase {
    func testStepsEpochsAndMinutesMakeOneBudget() {
        var options = ReaderTrainingOptions()
        options.questionsPerStep = 8
        options.budget(steps: nil, epochs: nil, minutes: nil, examples: 100)
        XCTAssertEqual(options.steps, 1000)
        XCTAssertNil(options.timeBudget)
        options.budget(steps: nil, epochs: 2, minutes: nil, examples: 100)
        XCTAssertEqual(options.steps, 25, "two passes over 100 questions, 8 a step, rounded up")
        options.budget(steps: 40, epochs: nil, minutes: 1.5, examples: 100)
        XCTAssertEqual(options.steps, 40, "steps cap a timed run")
        XCTAssertEqual(options.timeBudget, 90)
        options.budget(steps: nil, epochs: nil, minutes: 2, examples: 100)
        XCTAssertEqual(options.steps, 1_000_000, "time alone bounds the run")
    }
}
