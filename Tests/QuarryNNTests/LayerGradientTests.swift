import QuarryNN
import XCTest

/// Every layer's backward against finite differences of its forward on small random shapes.
final class LayerGradientTests: XCTestCase {
    typealias G = GradientChecking

    func testLinear() {
        let (n, i, o) = (3, 4, 5)
        let x = G.random([n, i], seed: 1), w = G.random([o, i], seed: 2), b = G.random([o], seed: 3)
        let r = G.random([n, o], seed: 4), out = Tensor(shape: [n, o])
        func loss() -> Double {
            Linear.forward(out: out.data, inp: x.data, weight: w.data, bias: b.data, rows: n, inDim: i, outDim: o)
            return G.weightedSum(out, r)
        }
        let dx = Tensor(shape: [n, i]), dw = Tensor(shape: [o, i]), db = Tensor(shape: [o])
        _ = loss()
        Linear.backward(dinp: dx.data, dweight: dw.data, dbias: db.data, dout: r.data, inp: x.data, weight: w.data,
                        rows: n, inDim: i, outDim: o)
        G.check("dinp", parameter: x, analytic: dx, loss: loss)
        G.check("dweight", parameter: w, analytic: dw, loss: loss)
        G.check("dbias", parameter: b, analytic: db, loss: loss)
    }

    func testEmbeddingScatterAddsRepeatedIds() {
        let (v, c) = (6, 3)
        let table = G.random([v, c], seed: 5)
        let ids: [Int32] = [1, 4, 1, 0]
        let r = G.random([ids.count, c], seed: 6), out = Tensor(shape: [ids.count, c])
        func loss() -> Double {
            Embedding.forward(out: out.data, ids: ids, table: table.data, rows: ids.count, dim: c)
            return G.weightedSum(out, r)
        }
        let dtable = Tensor(shape: [v, c])
        Embedding.backward(dtable: dtable.data, dout: r.data, ids: ids, rows: ids.count, dim: c)
        G.check("dtable", parameter: table, analytic: dtable, loss: loss)
        XCTAssertEqual(dtable[1 * c], r[0] + r[2 * c], accuracy: 1e-6)
        XCTAssertEqual(dtable[5 * c], 0)
    }

    func testLayerNorm() {
        let (n, c) = (3, 8)
        let x = G.random([n, c], seed: 7, std: 2), w = G.random([c], seed: 8), b = G.random([c], seed: 9)
        let r = G.random([n, c], seed: 10), out = Tensor(shape: [n, c])
        let mean = Tensor(shape: [n]), rstd = Tensor(shape: [n])
        func loss() -> Double {
            LayerNorm.forward(out: out.data, mean: mean.data, rstd: rstd.data, inp: x.data, weight: w.data,
                              bias: b.data, rows: n, dim: c, eps: 1e-5)
            return G.weightedSum(out, r)
        }
        _ = loss()
        let dx = Tensor(shape: [n, c]), dw = Tensor(shape: [c]), db = Tensor(shape: [c])
        LayerNorm.backward(dinp: dx.data, dweight: dw.data, dbias: db.data, dout: r.data, inp: x.data, weight: w.data,
                           mean: mean.data, rstd: rstd.data, rows: n, dim: c)
        G.check("dinp", parameter: x, analytic: dx, loss: loss)
        G.check("dweight", parameter: w, analytic: dw, loss: loss)
        G.check("dbias", parameter: b, analytic: db, loss: loss)
    }

    func testGELUValuesAndGradient() {
        let x = G.random([40], seed: 11, std: 2), r = G.random([40], seed: 12), out = Tensor(shape: [40])
        func loss() -> Double {
            GELU.forward(out: out.data, inp: x.data, count: x.count)
            return G.weightedSum(out, r)
        }
        _ = loss()
        for i in 0..<x.count {
            let v = Double(x[i])
            XCTAssertEqual(Double(out[i]), 0.5 * v * (1 + erf(v / 2.0.squareRoot())), accuracy: 1e-6)
        }
        let dx = Tensor(shape: [40])
        GELU.backward(dinp: dx.data, dout: r.data, inp: x.data, count: x.count)
        G.check("dinp", parameter: x, analytic: dx, loss: loss)
    }

    func testFastExpMatchesLibm() {
        var x: Float = -80
        while x < 80 {
            let expected = Foundation.exp(Double(x))
            XCTAssertEqual(Double(FastMath.exp(x)) / expected, 1, accuracy: 1e-6, "exp(\(x))")
            x += 0.37
        }
        XCTAssertEqual(FastMath.exp(-200), 0, accuracy: 1e-37)
    }

    func testAttentionWithPaddingMask() {
        let (b, t, c, h) = (2, 4, 6, 2)
        let q = G.random([b, t, c], seed: 13), k = G.random([b, t, c], seed: 14), v = G.random([b, t, c], seed: 15)
        let mask: [Float] = [1, 1, 1, 1, 1, 1, 0, 0]
        let r = G.random([b, t, c], seed: 16), out = Tensor(shape: [b, t, c]), probs = Tensor(shape: [b, h, t, t])
        func loss() -> Double {
            Attention.forward(out: out.data, probs: probs.data, q: q.data, k: k.data, v: v.data, mask: mask,
                              batch: b, length: t, channels: c, heads: h)
            return G.weightedSum(out, r)
        }
        _ = loss()
        // Padded keys of the second sequence get no attention.
        for head in 0..<h {
            for i in 0..<t {
                let row = (1 * h + head) * t * t + i * t
                XCTAssertEqual(probs[row + 2], 0)
                XCTAssertEqual(probs[row + 3], 0)
                XCTAssertEqual(probs[row] + probs[row + 1], 1, accuracy: 1e-6)
            }
        }
        let dq = Tensor(shape: [b, t, c]), dk = Tensor(shape: [b, t, c]), dv = Tensor(shape: [b, t, c])
        let scratch = Tensor(shape: [Attention.scratchCount(length: t)])
        Attention.backward(dq: dq.data, dk: dk.data, dv: dv.data, scratch: scratch.data, dout: r.data,
                           q: q.data, k: k.data, v: v.data, probs: probs.data, batch: b, length: t, channels: c, heads: h)
        G.check("dq", parameter: q, analytic: dq, loss: loss)
        G.check("dk", parameter: k, analytic: dk, loss: loss)
        G.check("dv", parameter: v, analytic: dv, loss: loss)
    }

    func testMeanPoolingAndL2Normalize() {
        let (b, t, c) = (2, 3, 4)
        let x = G.random([b, t, c], seed: 17), mask: [Float] = [1, 1, 0, 1, 1, 1]
        let r = G.random([b, c], seed: 18)
        let pooled = Tensor(shape: [b, c]), normed = Tensor(shape: [b, c]), norms = Tensor(shape: [b])
        func loss() -> Double {
            MeanPooling.forward(out: pooled.data, inp: x.data, mask: mask, batch: b, length: t, channels: c)
            L2Normalize.forward(out: normed.data, norms: norms.data, inp: pooled.data, rows: b, dim: c)
            return G.weightedSum(normed, r)
        }
        _ = loss()
        XCTAssertEqual(pooled[0], (x[0] + x[c]) / 2, accuracy: 1e-6)
        let dPooled = Tensor(shape: [b, c]), dx = Tensor(shape: [b, t, c])
        L2Normalize.backward(dinp: dPooled.data, dout: r.data, out: normed.data, norms: norms.data, rows: b, dim: c)
        MeanPooling.backward(dinp: dx.data, dout: dPooled.data, mask: mask, batch: b, length: t, channels: c)
        G.check("dinp", parameter: x, analytic: dx, loss: loss)
        XCTAssertEqual(dx[2 * c], 0, "padded position gets no gradient")
    }

    func testScaledSoftmaxCrossEntropy() {
        let (n, k) = (3, 5)
        let logits = G.random([n, k], seed: 19), targets: [Int32] = [0, 3, 4], probs = Tensor(shape: [n, k])
        let scale: Float = 2.5
        func loss() -> Double {
            Double(SoftmaxCrossEntropy.forward(probs: probs.data, logits: logits.data, targets: targets,
                                               rows: n, classes: k, scale: scale))
        }
        let value = loss()
        var expected: Double = 0
        for row in 0..<n {
            let z = (0..<k).map { Double(scale * logits[row * k + $0]) }
            let logSum = Foundation.log(z.map { Foundation.exp($0) }.reduce(0, +))
            expected += logSum - z[Int(targets[row])]
        }
        XCTAssertEqual(value, expected / Double(n), accuracy: 1e-5)
        let d = Tensor(shape: [n, k])
        SoftmaxCrossEntropy.backward(dlogits: d.data, probs: probs.data, targets: targets, rows: n, classes: k, scale: scale)
        G.check("dlogits", parameter: logits, analytic: d, eps: 1e-3, loss: loss)
    }

    func testDropoutIsInvertedAndSeeded() {
        let x = G.random([1000], seed: 20), out = Tensor(shape: [1000]), keep = Tensor(shape: [1000])
        var rng = Xoshiro256(seed: 3)
        Dropout.forward(out: out.data, keep: keep.data, inp: x.data, count: 1000, rate: 0.25, rng: &rng)
        let dropped = (0..<1000).filter { keep[$0] == 0 }.count
        XCTAssertEqual(Double(dropped) / 1000, 0.25, accuracy: 0.05)
        for i in 0..<1000 where keep[i] != 0 { XCTAssertEqual(out[i], x[i] / 0.75, accuracy: 1e-6) }
        let d = Tensor(shape: [1000])
        Dropout.backward(dinp: d.data, dout: x.data, keep: keep.data, count: 1000)
        XCTAssertEqual(d.array, out.array)
    }
}

import Foundation
