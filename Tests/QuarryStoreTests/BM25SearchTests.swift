import GRDB
@testable import QuarryStore
import XCTest

final class BM25SearchTests: StoreTestCase {
    private func sampleStore() throws -> CorpusStore {
        let store = try makeStore()
        try add(store, id: "1", title: "Danube", passages: ["The Danube flows through Vienna and Budapest.",
                                                             "Its delta lies on the Black Sea."])
        try add(store, id: "2", title: "Rhine", passages: ["The Rhine flows north to the North Sea."])
        try add(store, id: "3", title: "Vienna", passages: ["Vienna is the capital of Austria; the Danube runs through it, Danube!"])
        try add(store, id: "4", title: "Quotes", passages: ["He said \"or\" and NEAR and AND, then left; a star * too."])
        return store
    }

    func testRanksByBM25WithHigherScoresFirst() throws {
        let store = try sampleStore()
        let hits = try store.bm25Search(query: "danube", k: 10)
        XCTAssertEqual(hits.count, 3, "two passages mention the river, one more has it as its title")
        XCTAssertTrue(hits.allSatisfy { $0.score > 0 })
        XCTAssertEqual(hits.map(\.score), hits.map(\.score).sorted(by: >))
        XCTAssertEqual(try store.bm25Search(query: "danube", k: 1).count, 1)
    }

    func testMoreOccurrencesRankHigher() throws {
        let store = try makeStore()
        try add(store, id: "1", title: "One", passages: ["apple banana cherry damson"])
        try add(store, id: "2", title: "Two", passages: ["apple apple banana cherry"])
        XCTAssertEqual(try store.bm25Search(query: "apple", k: 10).map(\.title), ["Two", "One"])
    }

    func testAnyWordMatchesAndTitlesAreSearched() throws {
        let store = try sampleStore()
        XCTAssertEqual(Set(try store.bm25Search(query: "rhine budapest", k: 10).map(\.title)), ["Rhine", "Danube"])
        XCTAssertEqual(try store.bm25Search(query: "rhine", k: 10).map(\.title), ["Rhine"])
        XCTAssertEqual(try store.bm25Search(query: "QUOTES", k: 10).map(\.title), ["Quotes"], "title column, any case")
    }

    func testEmptyAndPunctuationQueriesFindNothing() throws {
        let store = try sampleStore()
        for query in ["", "   ", "\"", "*", "\"\"", "()", "-", "^", ":", "'); --"] {
            XCTAssertEqual(try store.bm25Search(query: query, k: 10), [], "query \(query)")
        }
    }

    func testQuerySyntaxIsTreatedAsWords() throws {
        let store = try sampleStore()
        let attempts = ["\"danube", "danube\"", "dan*", "NEAR(danube rhine)", "danube OR", "OR", "AND", "NOT danube",
                        "title:rhine", "'); DROP TABLE passages; --", "\"); DROP TABLE documents; --",
                        "{title text}: rhine", "danube + rhine", "^rhine", "rhine NEAR/2 sea"]
        for query in attempts {
            XCTAssertNoThrow(try store.bm25Search(query: query, k: 10), "query \(query)")
        }
        XCTAssertEqual(try store.bm25Search(query: "dan*", k: 10), [], "no prefix search: 'dan' is not a word here")
        XCTAssertEqual(try store.bm25Search(query: "OR", k: 10).map(\.title), ["Quotes"], "OR is the word 'or'")
        XCTAssertEqual(try store.bm25Search(query: "NEAR(", k: 10).map(\.title), ["Quotes"])
        XCTAssertEqual(Set(try store.bm25Search(query: "NOT danube", k: 10).map(\.title)), ["Danube", "Vienna"],
                       "NOT is a word, not an operator that would exclude danube")
        XCTAssertEqual(Set(try store.bm25Search(query: "title:rhine", k: 10).map(\.title)), ["Rhine"])
        XCTAssertEqual(try store.documentCount(), 4, "tables survive")
        XCTAssertEqual(try store.passageCount(), 5)
        XCTAssertEqual(try store.integrityProblems(), [])
    }

    func testQueryBuilderQuotesEveryTerm() {
        XCTAssertEqual(FTSQuery.anyTerm("he said \"hi\""), "\"he\" OR \"said\" OR \"hi\"")
        XCTAssertEqual(FTSQuery.anyTerm("NEAR(a b) a"), "\"NEAR\" OR \"a\" OR \"b\"", "repeated words once")
        XCTAssertEqual(FTSQuery.anyTerm("Zürich naïve 東京"), "\"Zürich\" OR \"naïve\" OR \"東京\"")
        XCTAssertNil(FTSQuery.anyTerm("\"*()'; --"))
    }

    func testWordsInHalfThePassagesOrMoreAreLeftOutWithoutChangingTheRanking() throws {
        let store = try makeStore()
        var state: UInt64 = 3
        for index in 0..<60 {
            let words = (0..<30).map { _ -> String in
                state = state &* 6364136223846793005 &+ 1442695040888963407
                return "w\((state >> 33) % 40)"
            }
            try add(store, id: "\(index)", title: "Doc \(index)", passages: ["the of " + words.joined(separator: " ")])
        }
        let query = "the w3 of w17 w20"
        let pruned = try store.bm25Search(query: query, k: 20)
        store.pruneCommonTerms = false
        let full = try store.bm25Search(query: query, k: 60)
        XCTAssertEqual(full.count, 60, "every passage has 'the'")
        XCTAssertEqual(pruned.count, 20)
        for (a, b) in zip(pruned, full) { XCTAssertEqual(a.score, b.score, accuracy: 1e-4) }
        let clearlyAbove = full.prefix(20).filter { $0.score > full[20].score + 1e-4 }.map(\.passageID)
        XCTAssertTrue(Set(clearlyAbove).isSubset(of: Set(pruned.map(\.passageID))))
        store.pruneCommonTerms = true
        XCTAssertEqual(try store.bm25Search(query: query, k: 60).map(\.passageID).count, 60,
                       "too few passages with weighted words: the full query runs")
        XCTAssertEqual(try store.bm25Search(query: "the of", k: 5).count, 5, "only common words: kept")
    }

    /// The impacts cached by earlier searches belong to the index as it was: after passages are added,
    /// removed, or replaced by text of the same length, searches equal FTS5's own ranking again.
    func testSearchesFollowChangesToThePassages() throws {
        let store = try sampleStore()
        XCTAssertEqual(try store.bm25Search(query: "danube north", k: 10).count, 4)
        try add(store, id: "5", title: "Delta", passages: ["The Danube delta, Danube again and north."])
        try assertSameAsFTS5(store, ["danube north", "delta", "danube"])
        XCTAssertEqual(try store.bm25Search(query: "delta", k: 10).count, 2)

        let rhine = try XCTUnwrap(try store.bm25Search(query: "rhine", k: 1).first)
        try store.writeBatch { writer in
            let stored = try XCTUnwrap(try writer.storedDocument(source: "test", externalID: "2"))
            _ = try writer.removeDocument(id: stored.id)
            // Same number of tokens as before: the row count and total length of the index do not change.
            _ = try writer.addDocument(source: "test", externalID: "2", title: "Rhine", contentHash: "h2b",
                                       passages: ["The Rhine flows west to the Danube Sea."])
        }
        try assertSameAsFTS5(store, ["danube north", "rhine", "north", "sea"])
        XCTAssertNotEqual(try store.bm25Search(query: "rhine", k: 1).first?.passageID, rhine.passageID)
        XCTAssertEqual(try store.bm25Search(query: "north", k: 10).map(\.title), ["Delta"], "the old Rhine text is gone")
    }

    /// `bm25Search` with impacts against FTS5 ranking the whole query itself.
    private func assertSameAsFTS5(_ store: CorpusStore, _ queries: [String], line: UInt = #line) throws {
        for query in queries {
            let fast = try store.bm25Search(query: query, k: 10)
            store.usesImpacts = false
            store.pruneCommonTerms = false
            defer { store.usesImpacts = true; store.pruneCommonTerms = true }
            let reference = try store.bm25Search(query: query, k: 10)
            XCTAssertEqual(fast.map(\.passageID), reference.map(\.passageID), "query \(query)", line: line)
            for (a, b) in zip(fast, reference) { XCTAssertEqual(a.score, b.score, accuracy: 1e-12, line: line) }
        }
    }

    func testNonPositiveKFindsNothing() throws {
        XCTAssertEqual(try sampleStore().bm25Search(query: "danube", k: 0), [])
    }
}
