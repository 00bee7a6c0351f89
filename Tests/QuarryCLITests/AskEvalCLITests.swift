import Foundation
import QuarryStore
import QuarryTestSupport
import XCTest

/// `ask`, `eval` and `train reader` end to end on a corpus of real SQuAD-dev paragraphs (written to a temporary
/// folder at run time from ../shared/data).
final class AskEvalCLITests: CLITestCase {
    /// One SQuAD question, read here with Foundation alone (the CLI tests link no Quarry module but the store).
    struct SQuADQuestion {
        var id: String
        var question: String
        var answers: [String]
        var answerStarts: [Int]
        var title: String?
        var context: String?
    }

    /// The questions of a gzip-compressed SQuAD file, in file order.
    private func readSQuAD(_ url: URL) throws -> [SQuADQuestion] {
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/bin/gzip")
        gzip.arguments = ["-dc", url.path]
        let pipe = Pipe()
        gzip.standardOutput = pipe
        try gzip.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        gzip.waitUntilExit()
        let root = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        var questions: [SQuADQuestion] = []
        for article in root["data"] as? [[String: Any]] ?? [] {
            let title = article["title"] as? String
            for paragraph in article["paragraphs"] as? [[String: Any]] ?? [] {
                let context = paragraph["context"] as? String
                for qa in paragraph["qas"] as? [[String: Any]] ?? [] {
                    let answers = qa["answers"] as? [[String: Any]] ?? []
                    questions.append(SQuADQuestion(id: qa["id"] as? String ?? "", question: qa["question"] as? String ?? "",
                                                   answers: answers.compactMap { $0["text"] as? String },
                                                   answerStarts: answers.compactMap { $0["answer_start"] as? Int },
                                                   title: title, context: context))
                }
            }
        }
        return questions
    }

    /// Writes the paragraphs of the first `articles` articles as a JSONL corpus, their questions as JSON lines,
    /// and the same questions as a small SQuAD file; returns (corpus, questions, squad, examples).
    private func sample(in directory: URL, articles: Int = 2, questions: Int = 30) throws -> (URL, URL, URL, [SQuADQuestion]) {
        let squad = try TestResources.sharedData("squad-dev-v1.1/squad-dev-v1.1.from-explorer.json.gz")
        let all = try readSQuAD(squad)
        var titles: [String] = []
        for e in all where !titles.contains(e.title ?? "") {
            titles.append(e.title ?? "")
            if titles.count == articles { break }
        }
        let chosen = all.filter { titles.contains($0.title ?? "") }
        var corpus = "", seen = Set<String>()
        var byTitle: [String: [(String, [SQuADQuestion])]] = [:]
        for e in chosen {
            let context = e.context!
            if seen.insert(context).inserted {
                let line = try JSONSerialization.data(withJSONObject: ["id": "p\(seen.count)", "title": e.title!, "text": context])
                corpus += String(decoding: line, as: UTF8.self) + "\n"
                byTitle[e.title!, default: []].append((context, []))
            }
            if let i = byTitle[e.title!]!.firstIndex(where: { $0.0 == context }) { byTitle[e.title!]![i].1.append(e) }
        }
        let corpusURL = directory.appendingPathComponent("paragraphs.jsonl")
        try Data(corpus.utf8).write(to: corpusURL)
        let picked = Array(chosen.prefix(questions))
        let lines = try picked.map { String(decoding: try JSONSerialization.data(withJSONObject: ["id": $0.id, "question": $0.question, "answers": $0.answers]), as: UTF8.self) }
        let questionsURL = directory.appendingPathComponent("questions.jsonl")
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: questionsURL)
        let pickedIDs = Set(picked.map(\.id))
        let data: [[String: Any]] = titles.map { title in
            ["title": title, "paragraphs": (byTitle[title] ?? []).compactMap { context, examples -> [String: Any]? in
                let qas = examples.filter { pickedIDs.contains($0.id) }.map { e -> [String: Any] in
                    ["id": e.id, "question": e.question,
                     "answers": zip(e.answers, e.answerStarts).map { ["text": $0.0, "answer_start": $0.1] }]
                }
                return qas.isEmpty ? nil : ["context": context, "qas": qas]
            }]
        }
        let squadURL = directory.appendingPathComponent("sample.json")
        try JSONSerialization.data(withJSONObject: ["version": "1.1", "data": data]).write(to: squadURL)
        return (corpusURL, questionsURL, squadURL, picked)
    }

    func testAskAndEvalBeforeAndAfterTrainingAReader() throws {
        let model = try TestResources.miniLM()
        let directory = try TestResources.temporaryDirectory(for: self)
        let (corpus, questions, squad, examples) = try sample(in: directory)
        let ingest = try quarry(["ingest", corpus.path, "--quiet"], in: directory)
        XCTAssertEqual(ingest.status, 0, ingest.stderr)
        let question = examples[0].question

        // No reader yet: ask shows the ranked passages and says what to run.
        let bare = try quarry(["ask", question, "--retriever", "bm25", "-k", "3"], in: directory)
        XCTAssertEqual(bare.status, 0, bare.stderr)
        XCTAssertTrue(bare.stdout.contains("No reader is trained yet"), bare.stdout)
        XCTAssertTrue(bare.stdout.contains("quarry train reader"), bare.stdout)
        XCTAssertTrue(bare.stdout.contains("1. ["), bare.stdout)
        // Without a dense cache the default retriever falls back to BM25, with a note.
        let fallback = try quarry(["ask", question, "--json"], in: directory)
        XCTAssertEqual(fallback.status, 0, fallback.stderr)
        let fallbackObject = try XCTUnwrap(try json(fallback.stdout) as? [String: Any])
        XCTAssertEqual(fallbackObject["retriever"] as? String, "bm25")
        XCTAssertEqual(fallbackObject["reader_trained"] as? Bool, false)
        XCTAssertEqual((fallbackObject["passages"] as? [Any])?.count, 10)

        // Eval without a reader: EM and F1 null, retrieval figures present and monotone in k.
        let retrievalOnly = try quarry(["eval", "--qa", questions.path, "--retriever", "bm25", "--k", "1,5,20", "--json"], in: directory)
        XCTAssertEqual(retrievalOnly.status, 0, retrievalOnly.stderr)
        let figures = try XCTUnwrap(try json(retrievalOnly.stdout) as? [String: Any])
        XCTAssertEqual(figures["questions"] as? Int, examples.count)
        XCTAssertTrue(figures["em"] is NSNull && figures["f1"] is NSNull, retrievalOnly.stdout)
        let topK = try XCTUnwrap(figures["top_k"] as? [String: Double])
        XCTAssertEqual(Set(topK.keys), ["1", "5", "20"])
        XCTAssertLessThanOrEqual(topK["1"]!, topK["5"]!)
        XCTAssertLessThanOrEqual(topK["5"]!, topK["20"]!)
        XCTAssertGreaterThan(topK["20"]!, 50, "BM25 over the articles' own paragraphs finds most answers")

        // The retriever trains on one side of the split and evaluates on the other (these questions name no
        // article, so their ids decide).
        let split = try quarry(["train", "retriever", "--qa", questions.path, "--split", "train", "--eval-qa", questions.path,
                                "--eval-split", "test", "--test-share", "0.5", "--steps", "1", "--batch", "2", "--eval-every", "0",
                                "--checkpoint-every", "0", "--name", "split", "--model", model.path], in: directory)
        XCTAssertEqual(split.status, 0, split.stderr)
        func count(_ pattern: String) throws -> Int {
            let match = try XCTUnwrap(split.stderr.range(of: pattern, options: .regularExpression), split.stderr)
            return Int(split.stderr[match].split(separator: " ")[2])!
        }
        let trainSide = try count("training questions: [0-9]+ of \(examples.count) on the train side")
        let testSide = try count("evaluation questions: [0-9]+ of \(examples.count) on the test side")
        XCTAssertEqual(trainSide + testSide, examples.count)
        XCTAssertTrue(trainSide > 0 && testSide > 0, split.stderr)

        // A short gold-paragraph run (too short to be good; this checks the plumbing).
        let train = try quarry(["train", "reader", "--qa", squad.path, "--gold-context", "--steps", "2", "--batch", "2",
                                "--max-length", "128", "--name", "tiny", "--model", model.path, "--quiet"], in: directory)
        XCTAssertEqual(train.status, 0, train.stderr)
        let folder = directory.appendingPathComponent("quarry.sqlite.readers/tiny")
        for file in ["reader.json", "heads.safetensors", "encoder/model.safetensors", "encoder/vocab.txt", "encoder/config.json"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: folder.appendingPathComponent(file).path), file)
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: directory.appendingPathComponent("quarry.sqlite.readers/tiny.training/metrics.jsonl").path))
        let rows = try CorpusStore(url: directory.appendingPathComponent("quarry.sqlite")).readers.all()
        XCTAssertEqual(rows.map(\.name), ["tiny"])
        XCTAssertEqual(rows.first?.steps, 2)
        XCTAssertEqual(rows.first?.supervision, "gold-context")

        // Distant supervision: questions read with BM25's passages, the answer-bearing ones positive.
        // Two sets mixed (the second at half weight) and every question also asked search-style.
        let distant = try quarry(["train", "reader", "--qa", questions.path, "--qa", squad.path + ":0.5", "--search-style-share", "1",
                                  "--retriever", "bm25", "--k", "3", "--negatives", "1",
                                  "--steps", "1", "--batch", "2", "--max-length", "128", "--name", "distant", "--model", model.path],
                                 in: directory)
        XCTAssertEqual(distant.status, 0, distant.stderr)
        XCTAssertTrue(distant.stderr.contains("questions usable (retrieved:bm25)"), distant.stderr)
        // The SQuAD file holds the same questions: all of them, then every second one; then a search-style copy
        // of each question that changes when lower-cased without its question mark.
        let mixedQuestions = examples.map(\.question) + examples.indices.filter { $0 % 2 == 1 }.map { examples[$0].question }
        let mixed = mixedQuestions.count + mixedQuestions.filter { $0.lowercased() != $0 || $0.contains("?") }.count
        XCTAssertTrue(distant.stderr.contains("; \(mixed) in the mixture"), "expected \(mixed): \(distant.stderr)")
        XCTAssertTrue(distant.stderr.contains("of \(mixed) questions usable"), distant.stderr)
        let badWeight = try quarry(["train", "reader", "--qa", questions.path + ":0", "--steps", "1"], in: directory)
        XCTAssertNotEqual(badWeight.status, 0)
        XCTAssertTrue(badWeight.stderr.contains("weight after ':' must be a positive number"), badWeight.stderr)
        let distantRow = try CorpusStore(url: directory.appendingPathComponent("quarry.sqlite")).readers.record(named: "distant")
        XCTAssertEqual(distantRow?.supervision, "retrieved:bm25")
        XCTAssertEqual(distantRow?.steps, 1)

        // Continued from the gold-paragraph reader with shared normalisation: its window size is kept and the
        // new reader scores spans the way it was trained.
        let continued = try quarry(["train", "reader", "--qa", questions.path, "--retriever", "bm25", "--k", "3", "--negatives", "1",
                                    "--steps", "1", "--batch", "2", "--from", "tiny", "--span-normalization", "shared",
                                    "--name", "continued", "--quiet"], in: directory)
        XCTAssertEqual(continued.status, 0, continued.stderr)
        let continuedConfiguration = try XCTUnwrap(try json(String(contentsOf: directory.appendingPathComponent(
            "quarry.sqlite.readers/continued/reader.json"), encoding: .utf8)) as? [String: Any])
        XCTAssertEqual(continuedConfiguration["max_sequence_length"] as? Int, 128)
        XCTAssertEqual(continuedConfiguration["span_scoring"] as? String, "shared")
        XCTAssertEqual(continuedConfiguration["read_passages"] as? Int, 2, "a positive and one negative a question")
        XCTAssertEqual(try CorpusStore(url: directory.appendingPathComponent("quarry.sqlite")).readers.record(named: "continued")?.baseModel,
                       folder.path)
        let badFrom = try quarry(["train", "reader", "--qa", questions.path, "--from", "nowhere", "--steps", "1"], in: directory)
        XCTAssertNotEqual(badFrom.status, 0)
        XCTAssertTrue(badFrom.stderr.contains("no reader named nowhere"), badFrom.stderr)

        // Every span scoring rule from one reading pass; the reader's own one is the headline figure.
        let compared = try quarry(["eval", "--qa", questions.path, "--retriever", "bm25", "--k", "1,5", "--read", "3",
                                   "--reader", "continued", "--compare-scoring", "--json"], in: directory)
        XCTAssertEqual(compared.status, 0, compared.stderr)
        let comparedFigures = try XCTUnwrap(try json(compared.stdout) as? [String: Any])
        XCTAssertEqual(comparedFigures["span_scoring"] as? String, "shared")
        let byRule = try XCTUnwrap(comparedFigures["by_span_scoring"] as? [String: [String: Double]])
        XCTAssertEqual(Set(byRule.keys), ["window", "window+relevance", "shared", "shared+relevance", "shared+retrieval:0.25",
                                          "shared+retrieval:0.5", "shared+retrieval:1", "shared+retrieval:2"])
        XCTAssertEqual(byRule["shared"]?["em"] ?? -1, comparedFigures["em"] as? Double ?? -2, accuracy: 1e-9)
        let overridden = try quarry(["eval", "--qa", questions.path, "--retriever", "bm25", "--k", "1,5", "--read", "3",
                                     "--reader", "continued", "--span-scoring", "window+relevance", "--json"], in: directory)
        XCTAssertEqual(overridden.status, 0, overridden.stderr)
        let overriddenFigures = try XCTUnwrap(try json(overridden.stdout) as? [String: Any])
        XCTAssertEqual(overriddenFigures["em"] as? Double ?? -1, byRule["window+relevance"]?["em"] ?? -2, accuracy: 1e-9)
        // A reader folder (as another store's) serves as --reader too, with the same answers.
        let byFolder = try quarry(["eval", "--qa", questions.path, "--retriever", "bm25", "--k", "1,5", "--read", "3", "--json",
                                   "--reader", directory.appendingPathComponent("quarry.sqlite.readers/continued").path], in: directory)
        XCTAssertEqual(byFolder.status, 0, byFolder.stderr)
        let byFolderFigures = try XCTUnwrap(try json(byFolder.stdout) as? [String: Any])
        XCTAssertEqual(byFolderFigures["em"] as? Double ?? -1, comparedFigures["em"] as? Double ?? -2, accuracy: 1e-9)
        XCTAssertEqual(comparedFigures["read"] as? Int, 3, "--read wins over the reader's own depth")
        // The best rule (exact match, then F1, then the reader's own) is saved with the reader when asked.
        let adopted = try quarry(["eval", "--qa", questions.path, "--retriever", "bm25", "--k", "1,5", "--read", "3",
                                  "--reader", "continued", "--compare-scoring", "--adopt-best-scoring", "--json"], in: directory)
        XCTAssertEqual(adopted.status, 0, adopted.stderr)
        let best = byRule.max { a, b in
            (a.value["em"]!, a.value["f1"]!, a.key == "shared" ? 1 : 0) < (b.value["em"]!, b.value["f1"]!, b.key == "shared" ? 1 : 0)
        }!.key
        let adoptedConfiguration = try XCTUnwrap(try json(String(contentsOf: directory.appendingPathComponent(
            "quarry.sqlite.readers/continued/reader.json"), encoding: .utf8)) as? [String: Any])
        XCTAssertEqual(adoptedConfiguration["span_scoring"] as? String, best, adopted.stderr)
        XCTAssertEqual(adoptedConfiguration["read_passages"] as? Int, 2, "only the rule changes")
        if best != "shared" {
            XCTAssertTrue(adopted.stderr.contains("set to \(best)"), adopted.stderr)
            var restored = adoptedConfiguration
            restored["span_scoring"] = "shared"
            try JSONSerialization.data(withJSONObject: restored).write(to: directory.appendingPathComponent(
                "quarry.sqlite.readers/continued/reader.json"))
        }
        // Without --read the reader reads as many passages as it was trained to choose among.
        let ownDepth = try quarry(["eval", "--qa", questions.path, "--retriever", "bm25", "--k", "1,5", "--json",
                                   "--reader", "continued", "--question-style", "search"], in: directory)
        XCTAssertEqual(ownDepth.status, 0, ownDepth.stderr)
        let ownDepthFigures = try XCTUnwrap(try json(ownDepth.stdout) as? [String: Any])
        XCTAssertEqual(ownDepthFigures["read"] as? Int, 2)
        XCTAssertEqual(ownDepthFigures["questions"] as? Int, examples.count)
        let badRule = try quarry(["eval", "--qa", questions.path, "--span-scoring", "global"], in: directory)
        XCTAssertNotEqual(badRule.status, 0)
        XCTAssertTrue(badRule.stderr.contains("--span-scoring takes"), badRule.stderr)

        // `--reader none` scores retrieval alone even when readers exist.
        let noneReader = try quarry(["eval", "--qa", questions.path, "--retriever", "bm25", "--k", "1,5,20", "--reader", "none", "--json"], in: directory)
        XCTAssertEqual(noneReader.status, 0, noneReader.stderr)
        let noneFigures = try XCTUnwrap(try json(noneReader.stdout) as? [String: Any])
        XCTAssertTrue(noneFigures["em"] is NSNull, noneReader.stdout)
        XCTAssertEqual(noneFigures["top_k"] as? [String: Double], topK)

        // With a reader: an answer taken from a passage, its sentence marked.
        let asked = try quarry(["ask", question, "--retriever", "bm25", "-k", "5", "--json", "--reader", "tiny"], in: directory)
        XCTAssertEqual(asked.status, 0, asked.stderr)
        let answer = try XCTUnwrap(try json(asked.stdout) as? [String: Any])
        XCTAssertEqual(answer["reader_trained"] as? Bool, true)
        let text = try XCTUnwrap(answer["answer"] as? String)
        let evidence = try XCTUnwrap(answer["evidence"] as? String)
        XCTAssertTrue(evidence.contains("«\(text)»"), evidence)
        // start/end are code-point offsets of the answer in its passage.
        let passageID = try XCTUnwrap(answer["passage_id"] as? Int)
        let passage = try XCTUnwrap(try CorpusStore(url: directory.appendingPathComponent("quarry.sqlite")).passage(id: Int64(passageID)))
        let scalars = Array(passage.text.unicodeScalars)
        let start = try XCTUnwrap(answer["start"] as? Int), end = try XCTUnwrap(answer["end"] as? Int)
        XCTAssertEqual(String(String.UnicodeScalarView(scalars[start..<end])), text)
        XCTAssertLessThanOrEqual((answer["alternatives"] as? [Any])?.count ?? 99, 3)

        // Questions from standard input, one JSON object each.
        let process = try makeProcess(["ask", "--retriever", "bm25", "-k", "2", "--json", "--reader", "tiny"], in: directory)
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        input.fileHandleForWriting.write(Data("\(examples[1].question)\n\n\(examples[2].question)\n".utf8))
        try input.fileHandleForWriting.close()
        let piped = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
        XCTAssertEqual(piped.components(separatedBy: "\"question\" : ").count - 1, 2, piped)

        // Gold-paragraph eval with both prediction files; the official file scores the same when read back.
        let predictions = directory.appendingPathComponent("predictions.json")
        let perQuestion = directory.appendingPathComponent("outcomes.jsonl")
        let gold = try quarry(["eval", "--qa", squad.path, "--gold-context", "--reader", "tiny", "--json",
                               "--squad-predictions", predictions.path, "--out", perQuestion.path], in: directory)
        XCTAssertEqual(gold.status, 0, gold.stderr)
        let goldFigures = try XCTUnwrap(try json(gold.stdout) as? [String: Any])
        let em = try XCTUnwrap(goldFigures["em"] as? Double), f1 = try XCTUnwrap(goldFigures["f1"] as? Double)
        XCTAssertTrue((0...100).contains(em) && f1 >= em, gold.stdout)
        XCTAssertTrue(goldFigures["top_k"] is NSNull)
        XCTAssertGreaterThan(goldFigures["questions_per_second"] as? Double ?? 0, 0)
        let outcomeLines = try String(contentsOf: perQuestion, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(outcomeLines.count, examples.count)
        let rescored = try quarry(["eval", "--qa", squad.path, "--predictions", predictions.path, "--json"], in: directory)
        XCTAssertEqual(rescored.status, 0, rescored.stderr)
        let rescoredFigures = try XCTUnwrap(try json(rescored.stdout) as? [String: Any])
        XCTAssertEqual(rescoredFigures["em"] as? Double ?? -1, em, accuracy: 1e-9)
        XCTAssertEqual(rescoredFigures["f1"] as? Double ?? -1, f1, accuracy: 1e-9)
    }

    func testBadInputsAreClearErrors() throws {
        let directory = try TestResources.temporaryDirectory(for: self)
        let missing = try quarry(["eval", "--qa", "nowhere.json", "--json"], in: directory)
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertTrue(missing.stderr.contains("nowhere.json"), missing.stderr)
        let noReader = try quarry(["ask", "what?", "--reader", "nope", "--retriever", "bm25"], in: directory)
        XCTAssertNotEqual(noReader.status, 0)
        XCTAssertTrue(noReader.stderr.contains("no reader named nope"), noReader.stderr)
        let badCache = try quarry(["ask", "what?", "--retriever", "nosuchcache"], in: directory)
        XCTAssertNotEqual(badCache.status, 0)
        XCTAssertTrue(badCache.stderr.contains("nosuchcache"), badCache.stderr)
        let badSplit = try quarry(["train", "retriever", "--qa", "x.json", "--split", "both"], in: directory)
        XCTAssertNotEqual(badSplit.status, 0)
        XCTAssertTrue(badSplit.stderr.contains("--split takes train, test or all, not \"both\""), badSplit.stderr)
        let badK = try quarry(["eval", "--qa", "x.json", "--k", "1,zero"], in: directory)
        XCTAssertNotEqual(badK.status, 0)
        let badLines = directory.appendingPathComponent("bad.jsonl")
        try Data("{\"question\": \"q\", \"answers\": [\"a\"]}\n{\"answer\": 3}\n".utf8).write(to: badLines)
        let predictions = directory.appendingPathComponent("p.jsonl")
        try Data("{\"question\": \"q\", \"answer\": \"a\"}\nnot json\n".utf8).write(to: predictions)
        let badPredictions = try quarry(["eval", "--qa", badLines.path, "--predictions", predictions.path], in: directory)
        XCTAssertNotEqual(badPredictions.status, 0)
        XCTAssertTrue(badPredictions.stderr.contains("bad.jsonl") || badPredictions.stderr.contains("p.jsonl"), badPredictions.stderr)
    }
}
