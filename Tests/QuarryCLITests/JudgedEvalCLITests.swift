import Foundation
import QuarryTestSupport
import XCTest

/// `eval --qrels/--queries`, `--beir` and `--run` end to end: a hand-made collection whose figures are worked out
/// by hand, a BEIR folder as it ships, and Cranfield from ../shared/data.
final class JudgedEvalCLITests: CLITestCase {
    private let documents = [("D1", "aircraft wing lift experiments"), ("D2", "boundary layer heat transfer"),
                             ("D3", "supersonic shock waves cone"), ("D4", "wing flutter supersonic flow")]

    /// Query 1 finds only D3 (relevant); query 2 finds D1 and D4 (both relevant); query 3 finds D2 (grade 2) but not
    /// D9 (grade 1, not in the corpus): nDCG 2 / (2 + 1/log2 3) = 0.7601893, recall 0.5. Query 4 has no judgements
    /// and query 5 no text: both left out.
    private let queries = "1\tshock waves cone\n2\twing\n3\tboundary layer\n4\theat\n"
    private let qrels = "1 0 D3 1\n1 0 D2 0\n2 0 D1 1\n2 0 D4 1\n3 0 D2 2\n3 0 D9 1\n5 0 D1 1\n"
    private let expectedNDCG = (1 + 1 + 2 / (2 + 1 / log2(3.0))) / 3

    private func checkFigures(_ stdout: String) throws {
        let figures = try XCTUnwrap(try json(stdout) as? [String: Any])
        XCTAssertEqual(figures["queries"] as? Int, 3)
        XCTAssertEqual(try XCTUnwrap(figures["ndcg_10"] as? Double), expectedNDCG, accuracy: 1e-9)
        XCTAssertEqual(try XCTUnwrap(figures["mrr_10"] as? Double), 1, accuracy: 1e-12)
        let recall = try XCTUnwrap(figures["recall"] as? [String: Double])
        XCTAssertEqual(try XCTUnwrap(recall["10"]), 2.5 / 3, accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap(recall["1"]), (1 + 0.5 + 0.5) / 3, accuracy: 1e-12)
    }

    func testTRECCollectionScoresAsWorkedOutAndWritesARunFile() throws {
        let dir = try ingestedCollection()

        let eval = try quarry(["eval", "--qrels", "qrels.txt", "--queries", "queries.tsv", "--retriever", "bm25",
                               "--k", "1,10", "--run", "run.txt", "--json"], in: dir)
        XCTAssertEqual(eval.status, 0, eval.stderr)
        try checkFigures(eval.stdout)
        XCTAssertTrue(eval.stderr.contains("3 of the 4 in"), eval.stderr)
        XCTAssertTrue(eval.stderr.contains("1 judged queries have no text there"), eval.stderr)
        XCTAssertTrue(eval.stderr.contains("documents judged relevant: 4 of 5 are in the store"), eval.stderr)
        let unwritable = try quarry(["eval", "--qrels", "qrels.txt", "--queries", "queries.tsv", "--retriever", "bm25",
                                     "--run", "no-such-folder/run.txt"], in: dir)
        XCTAssertNotEqual(unwritable.status, 0)
        XCTAssertTrue(unwritable.stderr.contains("no-such-folder/run.txt: cannot create (No such file or directory)"), unwritable.stderr)

        let run = try String(contentsOf: dir.appendingPathComponent("run.txt"), encoding: .utf8)
            .split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        XCTAssertEqual(run.map { [$0[0], $0[1], $0[2], $0[3], $0[5]] },
                       [["1", "Q0", "D3", "1", "bm25"], ["2", "Q0", run[1][2], "1", "bm25"], ["2", "Q0", run[2][2], "2", "bm25"],
                        ["3", "Q0", "D2", "1", "bm25"]])
        XCTAssertEqual(Set([run[1][2], run[2][2]]), ["D1", "D4"])
        XCTAssertGreaterThanOrEqual(Double(run[1][4])!, Double(run[2][4])!)

        let text = try quarry(["eval", "--qrels", "qrels.txt", "--queries", "queries.tsv", "--retriever", "bm25", "--quiet"], in: dir)
        XCTAssertEqual(text.status, 0, text.stderr)
        XCTAssertTrue(text.stdout.contains(String(format: "nDCG@10 %.4f   MRR@10 1.0000", expectedNDCG)), text.stdout)
    }

    /// A fresh directory holding the hand-made collection (docs.trec, queries.tsv, qrels.txt), ingested into quarry.sqlite.
    private func ingestedCollection() throws -> URL {
        let dir = try TestResources.temporaryDirectory(for: self)
        let corpus = documents.map { "<DOC>\n<DOCNO>\($0.0)</DOCNO>\n<TEXT>\n\($0.1)\n</TEXT>\n</DOC>\n" }.joined()
        try corpus.write(to: dir.appendingPathComponent("docs.trec"), atomically: true, encoding: .utf8)
        try queries.write(to: dir.appendingPathComponent("queries.tsv"), atomically: true, encoding: .utf8)
        try qrels.write(to: dir.appendingPathComponent("qrels.txt"), atomically: true, encoding: .utf8)
        let ingest = try quarry(["ingest", "docs.trec", "--format", "trec", "--quiet"], in: dir)
        XCTAssertEqual(ingest.status, 0, ingest.stderr)
        return dir
    }

    /// Judgements supervise `train retriever`: split by query id (test share 0.5 puts query 3 alone on the test side,
    /// FNV-1a of "3" mod 1000 = 290), queries 1 and 2 trained on with their relevant documents' passages as positives.
    func testTrainRetrieverOnJudgements() throws {
        let model = try TestResources.miniLM()
        let dir = try ingestedCollection()
        let train = try quarry(["train", "retriever", "--qrels", "qrels.txt", "--queries", "queries.tsv", "--model", model.path,
                                "--name", "judged", "--split", "train", "--eval-split", "test", "--test-share", "0.5",
                                "--steps", "2", "--batch", "2", "--samples", "1", "--max-passage-tokens", "24",
                                "--max-query-tokens", "16", "--warmup", "1", "--eval-every", "0", "--checkpoint-every", "0",
                                "--probe-questions", "1", "--probe-candidates", "2", "--probe-k", "1"], in: dir)
        XCTAssertEqual(train.status, 0, train.stderr)
        for line in ["training set: split by question (the set names no articles): 3 questions, 1 on the test side",
                     "training questions: 2 of 3 on the train side", "supervision: 2 questions, 2 with a positive",
                     "evaluation: 1 judged queries, 0 without a relevant passage in the store"] {
            XCTAssertTrue(train.stderr.contains(line), "\(line)\n\(train.stderr)")
        }
        let eval = try quarry(["eval", "--qrels", "qrels.txt", "--queries", "queries.tsv", "--retriever", "judged", "--json"], in: dir)
        XCTAssertEqual(eval.status, 0, eval.stderr)
        XCTAssertEqual((try json(eval.stdout) as? [String: Any])?["queries"] as? Int, 3)
        let both = try quarry(["train", "retriever", "--qa", "q.jsonl", "--beir", "collection", "--model", model.path], in: dir)
        XCTAssertNotEqual(both.status, 0)
        XCTAssertTrue(both.stderr.contains("not both"), both.stderr)
    }

    func testBEIRFolderAsItShips() throws {
        let dir = try TestResources.temporaryDirectory(for: self)
        let beir = dir.appendingPathComponent("collection")
        try FileManager.default.createDirectory(at: beir.appendingPathComponent("qrels"), withIntermediateDirectories: true)
        let corpus = documents.map { "{\"_id\": \"\($0.0)\", \"title\": \"\", \"text\": \"\($0.1)\"}\n" }.joined()
        try corpus.write(to: beir.appendingPathComponent("corpus.jsonl"), atomically: true, encoding: .utf8)
        let jsonQueries = queries.split(separator: "\n").map { line -> String in
            let parts = line.split(separator: "\t")
            return "{\"_id\": \"\(parts[0])\", \"text\": \"\(parts[1])\", \"metadata\": {}}\n"
        }.joined()
        try jsonQueries.write(to: beir.appendingPathComponent("queries.jsonl"), atomically: true, encoding: .utf8)
        let tsv = "query-id\tcorpus-id\tscore\n" + qrels.split(separator: "\n").map { line -> String in
            let f = line.split(separator: " ")
            return "\(f[0])\t\(f[2])\t\(f[3])\n"
        }.joined()
        try tsv.write(to: beir.appendingPathComponent("qrels/test.tsv"), atomically: true, encoding: .utf8)
        let ingest = try quarry(["ingest", "collection/corpus.jsonl", "--format", "jsonl", "--quiet"], in: dir)
        XCTAssertEqual(ingest.status, 0, ingest.stderr)
        let eval = try quarry(["eval", "--beir", "collection", "--retriever", "bm25", "--k", "1,10", "--json"], in: dir)
        XCTAssertEqual(eval.status, 0, eval.stderr)
        try checkFigures(eval.stdout)
        let missing = try quarry(["eval", "--beir", "collection", "--beir-split", "dev", "--retriever", "bm25"], in: dir)
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertTrue(missing.stderr.contains("collection/qrels/dev.tsv"), missing.stderr)
    }

    func testOptionsThatDoNotGoTogether() throws {
        let dir = try TestResources.temporaryDirectory(for: self)
        for (arguments, message) in [(["--qrels", "q.txt"], "--qrels and --queries go together"),
                                     (["--qa", "a.jsonl", "--beir", "dir"], "two kinds of evaluation"),
                                     ([String](), "give --qa FILE, or --qrels FILE --queries FILE, or --beir DIR"),
                                     (["--qa", "a.jsonl", "--run", "r.txt"], "--run writes document rankings")] {
            let outcome = try quarry(["eval"] + arguments, in: dir)
            XCTAssertNotEqual(outcome.status, 0)
            XCTAssertTrue(outcome.stderr.contains(message), "\(arguments): \(outcome.stderr)")
        }
    }

    /// Cranfield: BM25 on the 1,400 abstracts, the 225 topics paired with the qrels by position.
    func testCranfieldWithBM25() throws {
        let data = try TestResources.sharedData("trec-xml")
        let dir = try TestResources.temporaryDirectory(for: self)
        let ingest = try quarry(["ingest", data.appendingPathComponent("cran.all.1400.xml").path, "--format", "trec", "--quiet"], in: dir)
        XCTAssertEqual(ingest.status, 0, ingest.stderr)
        let arguments = ["eval", "--qrels", data.appendingPathComponent("cranqrel.trec.txt").path,
                         "--queries", data.appendingPathComponent("cran.qry.xml").path, "--retriever", "bm25", "--k", "100", "--json"]
        let eval = try quarry(arguments + ["--renumber-queries"], in: dir)
        XCTAssertEqual(eval.status, 0, eval.stderr)
        let figures = try XCTUnwrap(try json(eval.stdout) as? [String: Any])
        XCTAssertEqual(figures["queries"] as? Int, 225)
        let ndcg = try XCTUnwrap(figures["ndcg_10"] as? Double)
        XCTAssertTrue((0.3...0.6).contains(ndcg), "BM25 nDCG@10 on Cranfield \(ndcg)")
        let unpaired = try quarry(arguments, in: dir)
        XCTAssertEqual(unpaired.status, 0, unpaired.stderr)
        let wrong = try XCTUnwrap((try json(unpaired.stdout) as? [String: Any])?["ndcg_10"] as? Double)
        XCTAssertLessThan(wrong, ndcg / 3, "topics matched by their written numbers pair the wrong queries")
    }
}
