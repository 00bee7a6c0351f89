import Foundation
import QuarryRetrieval
import XCTest

/// The one parser of `--retriever` values, and the rewrites `search`'s earlier flags map onto.
final class RetrieverChoiceTests: XCTestCase {
    func testValues() {
        XCTAssertEqual(RetrieverChoice(parsing: nil), .automatic)
        XCTAssertEqual(RetrieverChoice(parsing: ""), .automatic, "an empty value is the default choice")
        XCTAssertEqual(RetrieverChoice(parsing: "bm25"), .bm25)
        XCTAssertEqual(RetrieverChoice(parsing: "hybrid"), .hybrid(.named(EmbeddingCache.defaultName)))
        XCTAssertEqual(RetrieverChoice(parsing: "hybrid:run"), .hybrid(.named("run")))
        XCTAssertEqual(RetrieverChoice(parsing: "run"), .dense(.named("run")))
        XCTAssertEqual(RetrieverChoice(parsing: "run:corrected"), .dense(.named("run:corrected")))
        XCTAssertEqual(RetrieverChoice(parsing: "hybrid:run:corrected"), .hybrid(.named("run:corrected")))
    }

    func testTrainedRetrieverNames() {
        XCTAssertEqual(DenseRetrieverSource.trainedRetriever(parsing: "run"), .trainedRetriever(name: "run", cache: .served))
        XCTAssertEqual(DenseRetrieverSource.trainedRetriever(parsing: "run:corrected"),
                       .trainedRetriever(name: "run", cache: .corrected))
    }

    func testFusionAndQueryModelRewrites() {
        let model = URL(fileURLWithPath: "/models/other")
        XCTAssertEqual(RetrieverChoice.dense(.named("run")).fusedWithBM25, .hybrid(.named("run")))
        XCTAssertEqual(RetrieverChoice.bm25.fusedWithBM25, .bm25)
        XCTAssertEqual(RetrieverChoice.dense(.embeddingCache(name: "dense")).withQueryModel(model),
                       .dense(.embeddingCache(name: "dense", model: model)))
        XCTAssertEqual(RetrieverChoice.hybrid(.named("dense")).withQueryModel(model), .hybrid(.named("dense", queryModel: model)))
        XCTAssertEqual(RetrieverChoice.dense(.trainedRetriever(name: "run")).withQueryModel(model), .dense(.trainedRetriever(name: "run")),
                       "a trained retriever keeps its own query encoder")
        XCTAssertEqual(RetrieverChoice.automatic.withQueryModel(model), .automatic)
    }
}
