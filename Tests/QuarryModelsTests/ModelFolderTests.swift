import Foundation
import QuarryModels
import QuarryNN
import QuarryTestSupport
import XCTest

final class ModelFolderTests: XCTestCase {
    func testSavedRandomEncoderLoadsBackIdentically() throws {
        let folder = try TestResources.temporaryDirectory(for: self).appendingPathComponent("tiny")
        let encoder = BertEncoder(config: EncoderGradientTests.tiny, seed: 5)
        try encoder.save(to: folder)
        let loaded = try BertEncoder(contentsOf: folder)
        XCTAssertEqual(loaded.config, encoder.config)
        XCTAssertEqual(loaded.pooling, encoder.pooling)
        let sequences = EncoderGradientTests.sequences
        XCTAssertEqual(try loaded.embed(sequences), try encoder.embed(sequences))
    }

    func testSavedMiniLMKeepsItsFilesAndEmbeddings() throws {
        let source = try TestResources.miniLM()
        let folder = try TestResources.temporaryDirectory(for: self).appendingPathComponent("copy")
        let encoder = try BertEncoder(contentsOf: source)
        encoder.store.values[0] += 0.5  // a "trained" change that must survive the round trip
        try encoder.save(to: folder)
        for name in ["vocab.txt", "modules.json", "1_Pooling/config.json", "sentence_bert_config.json"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: folder.appendingPathComponent(name).path), name)
        }
        let loaded = try BertEncoder(contentsOf: folder)
        XCTAssertEqual(loaded.maxSequenceLength, 256)
        let ids = [[101, 7592, 2088, 102], [101, 0, 2023, 2003, 1037, 3231, 102]]
        XCTAssertEqual(try loaded.embed(ids), try encoder.embed(ids))
    }

    func testPrefixedTensorNamesLoad() throws {
        let folder = try TestResources.temporaryDirectory(for: self).appendingPathComponent("prefixed")
        let encoder = BertEncoder(config: EncoderGradientTests.tiny, seed: 6)
        try encoder.save(to: folder)
        // Rewrite the weights with the `bert.` prefix a BertForMaskedLM checkpoint uses.
        let store = encoder.store
        try SafetensorsWriter.write(store.parameters.map {
            .init(name: "bert." + $0.name, shape: $0.shape, data: store.value($0))
        }, to: folder.appendingPathComponent("model.safetensors"))
        let loaded = try BertEncoder(contentsOf: folder)
        XCTAssertEqual(try loaded.embed(EncoderGradientTests.sequences), try encoder.embed(EncoderGradientTests.sequences))
    }

    func testBadFoldersAreErrorsNamingTheFile() throws {
        let folder = try TestResources.temporaryDirectory(for: self)
        XCTAssertThrowsError(try BertEncoder(contentsOf: folder)) {
            XCTAssertTrue(String(describing: $0).contains("config.json"), "\($0)")
        }
        try Data(#"{"vocab_size": 10, "hidden_size": 9, "num_hidden_layers": 1, "num_attention_heads": 2, "intermediate_size": 4, "max_position_embeddings": 8}"#.utf8)
            .write(to: folder.appendingPathComponent("config.json"))
        XCTAssertThrowsError(try BertEncoder(contentsOf: folder)) {
            XCTAssertTrue(String(describing: $0).contains("not a multiple"), "\($0)")
        }
        let tiny = BertEncoder(config: EncoderGradientTests.tiny)
        try tiny.save(to: folder)
        var config = EncoderGradientTests.tiny
        config.intermediateSize = 20
        try JSONEncoder().encode(config).write(to: folder.appendingPathComponent("config.json"))
        XCTAssertThrowsError(try BertEncoder(contentsOf: folder)) {
            XCTAssertTrue(String(describing: $0).contains("model.safetensors"), "\($0)")
        }
    }

    func testEmptyInputsGiveZeroVectors() throws {
        let encoder = BertEncoder(config: EncoderGradientTests.tiny, seed: 7)
        XCTAssertEqual(try encoder.embed([]), [])
        XCTAssertEqual(try encoder.embed([[]]), [Float](repeating: 0, count: 8))
        let mixed = try encoder.embed([[], [1, 2]])
        XCTAssertEqual(Array(mixed[0..<8]), [Float](repeating: 0, count: 8))
        XCTAssertEqual(mixed[8..<16].reduce(0) { $0 + $1 * $1 }, 1, accuracy: 1e-5)
    }

    func testConcurrentInferenceCallsGiveTheSameEmbeddings() throws {
        let encoder = BertEncoder(config: EncoderGradientTests.tiny, seed: 8)
        let expected = try encoder.embed(EncoderGradientTests.sequences)
        let results = UnsafeMutableBufferPointer<[Float]>.allocate(capacity: 8)
        results.initialize(repeating: [])
        defer { results.deallocate() }
        DispatchQueue.concurrentPerform(iterations: 8) { i in
            results[i] = (try? encoder.embed(EncoderGradientTests.sequences)) ?? []
        }
        for r in results { XCTAssertEqual(r, expected) }
    }

    func testLengthBucketsCoverEveryIndexOnce() {
        let lengths = [5, 100, 3, 50, 7, 100, 2, 64]
        let batches = LengthBuckets.batches(lengths: lengths, maxBatch: 3, maxTokens: 150)
        XCTAssertEqual(batches.flatMap { $0 }.sorted(), Array(lengths.indices))
        for batch in batches {
            XCTAssertLessThanOrEqual(batch.count, 3)
            XCTAssertTrue(batch.count == 1 || batch.count * batch.map { lengths[$0] }.max()! <= 150)
        }
        XCTAssertEqual(batches.first, [6, 2, 0])
    }
}
