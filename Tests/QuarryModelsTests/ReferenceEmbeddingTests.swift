import Foundation
import QuarryModels
import QuarryTestSupport
import XCTest

/// all-MiniLM-L6-v2 against the reference dump: same ids in, same embeddings out.
final class ReferenceEmbeddingTests: XCTestCase {
    struct Fixture: Decodable {
        struct Row: Decodable {
            let text: String
            let input_ids: [Int]
            let embedding: [Float]
        }
        let rows: [Row]
    }

    static func loadFixture() throws -> Fixture {
        let url = try TestResources.fixture("minilm/reference-embeddings.json")
        return try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
    }

    func testEveryFixtureEmbeddingMatchesTheReference() throws {
        let encoder = try BertEncoder(contentsOf: try TestResources.miniLM())
        let fixture = try Self.loadFixture()
        XCTAssertEqual(fixture.rows.count, 60)
        XCTAssertEqual(encoder.pooling, SentencePooling(mode: .mean, normalize: true))
        XCTAssertEqual(encoder.maxSequenceLength, 256)
        XCTAssertTrue(fixture.rows.contains { $0.input_ids.count == 256 }, "fixture has truncated rows")
        let embeddings = try encoder.embed(fixture.rows.map(\.input_ids))
        let d = encoder.dimension
        XCTAssertEqual(d, 384)
        var worst: Float = 1
        for (i, row) in fixture.rows.enumerated() {
            let mine = embeddings[(i * d)..<((i + 1) * d)]
            let dot = zip(mine, row.embedding).reduce(Float(0)) { $0 + $1.0 * $1.1 }
            let refNorm = row.embedding.reduce(Float(0)) { $0 + $1 * $1 }.squareRoot()
            let myNorm = mine.reduce(Float(0)) { $0 + $1 * $1 }.squareRoot()
            let cosine = dot / (refNorm * myNorm)
            worst = min(worst, cosine)
            XCTAssertGreaterThanOrEqual(cosine, 0.9999, "row \(i) (\(row.input_ids.count) ids)")
            XCTAssertEqual(myNorm, 1, accuracy: 1e-4)
        }
        print("worst cosine with the reference: \(worst)")
    }

    func testBatchedAndSingleEmbeddingsAgree() throws {
        let encoder = try BertEncoder(contentsOf: try TestResources.miniLM())
        let rows = Array(try Self.loadFixture().rows.prefix(8))
        let batched = try encoder.embed(rows.map(\.input_ids))
        for (i, row) in rows.enumerated() {
            let single = try encoder.embed([row.input_ids])
            for j in 0..<encoder.dimension {
                XCTAssertEqual(single[j], batched[i * encoder.dimension + j], accuracy: 1e-5)
            }
        }
    }

    func testOutOfVocabularyIdIsAnError() throws {
        let encoder = try BertEncoder(contentsOf: try TestResources.miniLM())
        XCTAssertThrowsError(try encoder.embed([[101, 40_000, 102]]))
        XCTAssertThrowsError(try encoder.embed([[Int](repeating: 1000, count: 513)]))
    }
}
