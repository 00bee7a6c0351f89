import Foundation
import QuarryTestSupport
import XCTest

/// The same wiki exported twice, as a user re-ingests a monthly dump under a new file name.
final class LivingCorpusCLITests: CLITestCase {
    private func dump(_ pages: [(id: Int, title: String, text: String)], to name: String, in directory: URL) throws -> URL {
        let url = directory.appendingPathComponent(name)
        let body = pages.map { page in
            "<page><title>\(page.title)</title><ns>0</ns><id>\(page.id)</id><revision><text>\(page.text)</text></revision></page>"
        }.joined(separator: "\n")
        try Data("""
            <mediawiki><siteinfo><sitename>Example</sitename><dbname>xxwiki</dbname></siteinfo>
            \(body)
            </mediawiki>
            """.utf8).write(to: url)
        return url
    }

    private func summary(_ arguments: [String], in directory: URL) throws -> [String: Any] {
        let outcome = try quarry(arguments + ["--json"], in: directory)
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        return try XCTUnwrap(try json(outcome.stdout) as? [String: Any])
    }

    func testNextMonthsDumpUpdatesTheSameDocumentsAndPrunes() throws {
        let directory = try TestResources.temporaryDirectory(for: self)
        let november: [(id: Int, title: String, text: String)] = [
            (1, "Danube", "The Danube flows through Vienna to the Black Sea."),
            (2, "Rhine", "The Rhine flows north to the North Sea."),
            (3, "Elbe", "The Elbe flows through Dresden and Hamburg."),
        ]
        var december = november
        december[1].text = "The Rhine flows north through Basel and Cologne to the North Sea."
        december.remove(at: 2)
        december.append((4, "Oder", "The Oder marks part of the border of Poland."))
        let first = try summary(["ingest", try dump(november, to: "xxwiki-20261101.xml", in: directory).path], in: directory)
        XCTAssertEqual(first["sources"] as? [String], ["mediawiki:xxwiki"])

        let decemberDump = try dump(december, to: "xxwiki-20261201.xml", in: directory)
        let text = try quarry(["ingest", decemberDump.path], in: directory)
        XCTAssertEqual(text.status, 0, text.stderr)
        XCTAssertTrue(text.stderr.contains("documents go under the source \"mediawiki:xxwiki\" (the dump's <dbname>)"), text.stderr)
        XCTAssertTrue(text.stdout.contains("1 new, 1 changed, 1 unchanged documents"), text.stdout)
        XCTAssertEqual(try quarry(["search", "elbe", "--json"], in: directory).stdout.contains("Dresden"), true,
                       "without --prune nothing is removed")

        let pruned = try summary(["ingest", decemberDump.path, "--prune"], in: directory)
        XCTAssertEqual(pruned["documents_unchanged"] as? Int, 3)
        XCTAssertEqual(pruned["documents_removed"] as? Int, 1)
        XCTAssertEqual(pruned["passages_removed"] as? Int, 1)
        let stats = try summary(["stats"], in: directory)
        XCTAssertEqual(stats["documents"] as? Int, 3)
        XCTAssertEqual((stats["sources"] as? [[String: Any]])?.compactMap { $0["source"] as? String }, ["mediawiki:xxwiki"])
        XCTAssertFalse(try quarry(["search", "elbe dresden", "--json"], in: directory).stdout.contains("Dresden"))
    }

    /// Documents stored under their path before (or under --source) and met again under another identity
    /// are refused before anything is written; the message names the way out, and both ways work.
    func testTheSameDocumentsUnderANewIdentityAreRefused() throws {
        let directory = try TestResources.temporaryDirectory(for: self)
        let pages: [(id: Int, title: String, text: String)] = [(1, "Danube", "The Danube flows to the Black Sea."),
                                                               (2, "Rhine", "The Rhine flows to the North Sea.")]
        let input = try dump(pages, to: "xxwiki.xml", in: directory)
        XCTAssertEqual(try quarry(["ingest", input.path, "--source", "old-name", "--quiet"], in: directory).status, 0)
        let refused = try quarry(["ingest", input.path], in: directory)
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertTrue(refused.stderr.contains("under the source \"old-name\"") && refused.stderr.contains("--source \"old-name\""),
                      refused.stderr)
        XCTAssertEqual(try summary(["stats"], in: directory)["documents"] as? Int, 2, "nothing written")
        XCTAssertEqual(try summary(["ingest", input.path, "--source", "old-name"], in: directory)["documents_unchanged"] as? Int, 2)
        let copied = try summary(["ingest", input.path, "--allow-duplicates"], in: directory)
        XCTAssertEqual(copied["duplicates_elsewhere"] as? [String: Int], ["old-name": 2])
        XCTAssertEqual(try summary(["stats"], in: directory)["documents"] as? Int, 4)
    }

    /// A store made before dumps were identified by their wiki holds them under the file's path: the same
    /// file ingested again keeps that identity and updates in place.
    func testAFileStoredUnderItsPathKeepsThatIdentity() throws {
        let directory = try TestResources.temporaryDirectory(for: self)
        let input = try dump([(1, "Danube", "The Danube flows east.")], to: "xxwiki.xml", in: directory)
        XCTAssertEqual(try quarry(["ingest", input.path, "--source", input.path, "--quiet"], in: directory).status, 0)
        let again = try quarry(["ingest", input.path], in: directory)
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertTrue(again.stderr.contains("where its documents are stored already"), again.stderr)
        XCTAssertTrue(again.stdout.contains("0 new, 0 changed, 1 unchanged"), again.stdout)
    }

    /// A skipped malformed page may still be in the dump: --prune then removes nothing and says why.
    func testPruneIsWithheldWhenPagesWereSkippedAsMalformed() throws {
        let directory = try TestResources.temporaryDirectory(for: self)
        let full = try dump([(1, "Danube", "The Danube flows east."), (2, "Rhine", "The Rhine flows north.")],
                            to: "full.xml", in: directory)
        XCTAssertEqual(try quarry(["ingest", full.path, "--quiet"], in: directory).status, 0)
        let broken = directory.appendingPathComponent("broken.xml")
        try Data("""
            <mediawiki><siteinfo><dbname>xxwiki</dbname></siteinfo>
            <page><title>Danube</title><ns>0</ns><id>1</id><revision><text>The Danube flows east.</text></revision></page>
            <page><title>Rhine</title><ns>0</ns><id>2</id></page>
            </mediawiki>
            """.utf8).write(to: broken)
        let outcome = try quarry(["ingest", broken.path, "--prune", "--keep-going"], in: directory)
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        XCTAssertTrue(outcome.stderr.contains("nothing pruned from \"mediawiki:xxwiki\""), outcome.stderr)
        XCTAssertEqual(try summary(["stats"], in: directory)["documents"] as? Int, 2)
    }
}
