import Foundation
import QuarryStore
import QuarryTestSupport
import XCTest

/// `quarry ingest` on the real files in ../shared/data, format and compression detected from the bytes.
final class RealDumpCLITests: CLITestCase {
    func testEnwikiDumpIngestsOnceWithExactCounts() throws {
        let dump = try TestResources.sharedData("mediawiki-xml/enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2")
        let directory = try TestResources.temporaryDirectory(for: self)
        let first = try quarry(["ingest", dump.path, "--json"], in: directory)
        XCTAssertEqual(first.status, 0, first.stderr)
        let summary = try XCTUnwrap(try json(first.stdout) as? [String: Any])
        XCTAssertEqual(summary["pages_read"] as? Int, 206)
        XCTAssertEqual((summary["skipped"] as? [String: Int])?["redirect"], 100)
        let stored = try XCTUnwrap(summary["documents_new"] as? Int)
        let skipped = (summary["skipped"] as? [String: Int])?.values.reduce(0, +) ?? 0
        XCTAssertEqual(stored + skipped, 206)
        XCTAssertEqual(summary["bytes_read"] as? Int, try dump.resourceValues(forKeys: [.fileSizeKey]).fileSize,
                       "bytes are counted compressed")

        let again = try XCTUnwrap(try json(try quarry(["ingest", dump.path, "--json"], in: directory).stdout) as? [String: Any])
        XCTAssertEqual(again["documents_unchanged"] as? Int, stored)
        XCTAssertEqual(again["passages_added"] as? Int, 0)

        let store = try CorpusStore(url: directory.appendingPathComponent("quarry.sqlite"))
        XCTAssertEqual(try store.documentCount(), stored)
        XCTAssertEqual(try store.integrityProblems(), [])
        let hits = try XCTUnwrap(try json(try quarry(["search", "anarchism", "--json", "-k", "3"], in: directory).stdout) as? [[String: Any]])
        XCTAssertEqual(hits.first?["title"] as? String, "Anarchism")
    }

    func testCranfieldAndPubMedInOneRun() throws {
        let cranfield = try TestResources.sharedData("trec-xml/cran.all.1400.xml")
        let pubmed = try TestResources.sharedData("pubmed-xml")
        let articles = try FileManager.default.contentsOfDirectory(atPath: pubmed.path)
            .filter { $0.hasSuffix(".nxml") || $0.hasSuffix(".xml") }.sorted()
            .map { pubmed.appendingPathComponent($0).path }
        XCTAssertEqual(articles.count, 9)
        let directory = try TestResources.temporaryDirectory(for: self)
        let outcome = try quarry(["ingest", cranfield.path] + articles + ["--json"], in: directory)
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        let summary = try XCTUnwrap(try json(outcome.stdout) as? [String: Any])
        XCTAssertEqual(summary["pages_read"] as? Int, 1_409, "1,400 Cranfield records and 9 articles")
        let empty = (summary["skipped"] as? [String: Int])?["empty"] ?? 0
        XCTAssertEqual((summary["documents_new"] as? Int ?? 0) + empty, 1_409)

        let stats = try XCTUnwrap(try json(try quarry(["stats", "--json"], in: directory).stdout) as? [String: Any])
        let sources = try XCTUnwrap(stats["sources"] as? [[String: Any]])
        XCTAssertEqual(sources.count, 10)
        XCTAssertEqual(sources.first { $0["source"] as? String == cranfield.path }?["documents"] as? Int, 1_400 - empty)

        let hits = try XCTUnwrap(try json(try quarry(["search", "boundary layer heat transfer", "--json"], in: directory).stdout)
                                 as? [[String: Any]])
        XCTAssertEqual(hits.count, 10)
        let rerun = try XCTUnwrap(try json(try quarry(["ingest", cranfield.path, "--json"], in: directory).stdout) as? [String: Any])
        XCTAssertEqual(rerun["documents_unchanged"] as? Int, 1_400 - empty)
    }

    func testCompressedJSONLGivesTheSameContentAsPlain() throws {
        let directory = try TestResources.temporaryDirectory(for: self)
        let plain = directory.appendingPathComponent("corpus.jsonl")
        try writeSyntheticCorpus(500, to: plain)
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/bin/gzip")
        gzip.arguments = ["-k", plain.path]
        try gzip.run()
        gzip.waitUntilExit()
        let compressed = directory.appendingPathComponent("corpus.jsonl.gz")
        let a = directory.appendingPathComponent("a.sqlite"), b = directory.appendingPathComponent("b.sqlite")
        XCTAssertEqual(try quarry(["ingest", plain.path, "--db", a.path, "--source", "c"], in: directory).status, 0)
        let outcome = try quarry(["ingest", compressed.path, "--db", b.path, "--source", "c"], in: directory)
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        XCTAssertEqual(try passages(in: a), try passages(in: b))
        XCTAssertEqual(try passages(in: a).count > 500, true)
    }
}
