import Foundation
import QuarryModels
import QuarryNN
import QuarryTestSupport
import QuarryText
import XCTest

/// The encoder on oneDNN: fp32 against OpenBLAS, bf16 against the reference and against fp32 (embeddings,
/// neighbours, training gradients). The bf16 tests need a CPU with avx512_bf16 and skip without one.
final class BF16EncoderTests: XCTestCase {
    override func tearDown() {
        MatrixProducts.fp32Library = .oneDNN
        super.tearDown()
    }

    func requireNativeBF16() throws {
        guard Precision.cpuHasNativeBF16 else {
            throw XCTSkip("this CPU has no avx512_bf16 (oneDNN's ISA is below avx512_core_bf16): bf16 is not checked here")
        }
    }

    /// fp32 on oneDNN differs from OpenBLAS only in summation order.
    func testFP32OnOneDNNMatchesOpenBLAS() throws {
        let encoder = try BertEncoder(contentsOf: try TestResources.miniLM())
        let ids = try ReferenceEmbeddingTests.loadFixture().rows.map(\.input_ids)
        MatrixProducts.fp32Library = .openBLAS
        let blas = try encoder.embed(ids)
        MatrixProducts.fp32Library = .oneDNN
        let dnnl = try encoder.embed(ids)
        let cosines = Self.rowCosines(blas, dnnl, dimension: encoder.dimension)
        XCTAssertGreaterThanOrEqual(cosines.min()!, 0.99999, "worst row \(cosines.firstIndex(of: cosines.min()!)!)")
    }

    func testBF16EmbeddingsMatchTheReference() throws {
        try requireNativeBF16()
        let encoder = try BertEncoder(contentsOf: try TestResources.miniLM())
        encoder.precision = .bf16
        let rows = try ReferenceEmbeddingTests.loadFixture().rows
        let mine = try encoder.embed(rows.map(\.input_ids))
        let cosines = Self.rowCosines(mine, rows.flatMap(\.embedding), dimension: encoder.dimension)
        for (i, cosine) in cosines.enumerated() {
            XCTAssertGreaterThanOrEqual(cosine, 0.999, "row \(i) (\(rows[i].input_ids.count) ids)")
        }
        let mean = cosines.reduce(0, +) / Double(cosines.count)
        XCTAssertGreaterThanOrEqual(mean, 0.9999)
        print("bf16 against the reference: min cosine \(cosines.min()!), mean \(mean)")
    }

    /// SQuAD-dev questions against a corpus of SQuAD-dev paragraphs, bf16 embeddings against fp32 ones.
    /// A question keeps its top 10 when the two sets are equal, or differ only by passages whose fp32
    /// scores lie within `tieMargin` of the fp32 10th score (a near-tie at the cut, which bf16's rounding,
    /// about 2⁻⁹ relative, may break either way): at least 99% of the questions must keep theirs, at least
    /// 95% must have exactly equal sets, and 99% the same nearest passage.
    func testBF16TopTenNeighboursMatchFP32() throws {
        try requireNativeBF16()
        let folder = try TestResources.miniLM()
        let set = try QASetReader().read(TestResources.sharedData("squad-dev-v1.1/squad-dev-v1.1.from-explorer.json.gz"))
        var seen = Set<String>(), paragraphs = [String]()
        for example in set.examples {
            guard let context = example.context, seen.insert(context).inserted else { continue }
            paragraphs.append(context)
            if paragraphs.count == 400 { break }
        }
        let questions = set.examples.enumerated().filter { $0.offset % 10 == 0 }.prefix(200).map(\.element.question)
        let tokenizer = try BertTokenizer(modelDirectory: folder)
        let corpusIDs = paragraphs.map { tokenizer.encode($0, maxLength: 128) }
        let queryIDs = questions.map { tokenizer.encode($0, maxLength: 64) }
        let encoder = try BertEncoder(contentsOf: folder)
        func scores(_ precision: Precision) throws -> [[Float]] {
            encoder.precision = precision
            let corpus = try encoder.embed(corpusIDs), queries = try encoder.embed(queryIDs)
            return Self.innerProducts(queries: queries, corpus: corpus, dimension: encoder.dimension)
        }
        let fp32 = try scores(.fp32), bf16 = try scores(.bf16)
        let tieMargin: Float = 2e-3
        var equal = 0, kept = 0, sameFirst = 0
        for (exact, rounded) in zip(fp32, bf16) {
            let exactTop = Self.topTen(exact), roundedTop = Self.topTen(rounded)
            let a = Set(exactTop), b = Set(roundedTop), tenth = exact[exactTop[9]]
            if a == b { equal += 1 }
            if a.symmetricDifference(b).allSatisfy({ abs(exact[$0] - tenth) <= tieMargin }) { kept += 1 }
            if exactTop[0] == roundedTop[0] { sameFirst += 1 }
        }
        let n = Double(questions.count)
        XCTAssertGreaterThanOrEqual(Double(kept) / n, 0.99, "\(kept) of \(questions.count) keep their top 10 up to near-ties")
        XCTAssertGreaterThanOrEqual(Double(equal) / n, 0.95, "\(equal) of \(questions.count) have identical top-10 sets")
        XCTAssertGreaterThanOrEqual(Double(sameFirst) / n, 0.99, "\(sameFirst) of \(questions.count) keep their nearest passage")
        print("bf16 top 10 against fp32: identical sets for \(equal) of \(questions.count) questions, "
              + "the same up to near-ties at the cut for \(kept), the same nearest passage for \(sameFirst)")
    }

    /// One training step's gradients on oneDNN fp32 against OpenBLAS: the same up to summation order.
    func testFP32GradientsOnOneDNNMatchOpenBLAS() throws {
        let encoder = try BertEncoder(contentsOf: try TestResources.miniLM())
        encoder.precision = .fp32
        let ids = Array(try ReferenceEmbeddingTests.loadFixture().rows.prefix(12).map(\.input_ids))
        MatrixProducts.fp32Library = .openBLAS
        let blas = try Self.gradients(of: encoder, ids: ids)
        MatrixProducts.fp32Library = .oneDNN
        let dnnl = try Self.gradients(of: encoder, ids: ids)
        XCTAssertLessThanOrEqual(Self.relativeError(dnnl[...], blas[...]), 1e-4)
    }

    /// The gradient of a fixed random linear loss on the sentence embeddings of `ids`.
    static func gradients(of encoder: BertEncoder, ids: [[Int]]) throws -> [Float] {
        let batch = TokenBatch(sequences: ids)
        var rng = Xoshiro256(seed: 5)
        let direction = (0..<(batch.size * encoder.dimension)).map { _ in rng.nextNormal() }
        encoder.store.zeroGradients()
        let pass = try encoder.trainingForward(batch)
        encoder.backward(pass, embeddingGradient: direction)
        return Array(UnsafeBufferPointer(start: encoder.store.gradients, count: encoder.store.count))
    }

    /// One training step's gradients (a fixed random loss on the sentence embeddings of real weights):
    /// bf16 products against fp32, relative L2 error of the whole gradient ≤ 2% and of each weight matrix
    /// ≤ 5%.
    func testBF16TrainingGradientsMatchFP32() throws {
        try requireNativeBF16()
        let encoder = try BertEncoder(contentsOf: try TestResources.miniLM())
        let ids = Array(try ReferenceEmbeddingTests.loadFixture().rows.prefix(12).map(\.input_ids))
        func gradients(_ precision: Precision) throws -> [Float] {
            encoder.precision = precision
            return try Self.gradients(of: encoder, ids: ids)
        }
        let fp32 = try gradients(.fp32), bf16 = try gradients(.bf16)
        let whole = Self.relativeError(bf16[...], fp32[...])
        XCTAssertLessThanOrEqual(whole, 0.02, "whole gradient")
        var worst = (name: "", error: 0.0)
        for p in encoder.store.parameters where p.shape.count == 2 && !p.name.contains("embeddings") {
            let range = p.offset..<(p.offset + p.count)
            let error = Self.relativeError(bf16[range], fp32[range])
            XCTAssertLessThanOrEqual(error, 0.05, p.name)
            if error > worst.error { worst = (p.name, error) }
        }
        print("bf16 gradient relative error: whole \(whole), worst matrix \(worst.name) \(worst.error)")
    }

    static func rowCosines(_ a: [Float], _ b: [Float], dimension d: Int) -> [Double] {
        (0..<(a.count / d)).map { i in
            var dot = 0.0, na = 0.0, nb = 0.0
            for j in (i * d)..<((i + 1) * d) {
                dot += Double(a[j]) * Double(b[j]); na += Double(a[j]) * Double(a[j]); nb += Double(b[j]) * Double(b[j])
            }
            return dot / (na * nb).squareRoot()
        }
    }

    static func relativeError(_ a: ArraySlice<Float>, _ b: ArraySlice<Float>) -> Double {
        var difference = 0.0, norm = 0.0
        for (x, y) in zip(a, b) { difference += Double(x - y) * Double(x - y); norm += Double(y) * Double(y) }
        return (difference / max(norm, .leastNormalMagnitude)).squareRoot()
    }

    /// Query × corpus inner products, one row per query.
    static func innerProducts(queries: [Float], corpus: [Float], dimension d: Int) -> [[Float]] {
        let nq = queries.count / d, nc = corpus.count / d
        var all = [Float](repeating: 0, count: nq * nc)
        all.withUnsafeMutableBufferPointer { out in
            BLAS.gemm(transB: true, m: nq, n: nc, k: d, a: queries, b: corpus, c: out.baseAddress!)
        }
        return (0..<nq).map { Array(all[($0 * nc)..<(($0 + 1) * nc)]) }
    }

    /// Indices of the ten highest scores.
    static func topTen(_ scores: [Float]) -> [Int] {
        Array(scores.indices.sorted { scores[$0] > scores[$1] }.prefix(10))
    }
}
