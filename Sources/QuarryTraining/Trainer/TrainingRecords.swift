import Foundation

/// What one step did, as a line of `metrics.jsonl` (`"kind": "step"`).
public struct StepRecord: Codable, Equatable, Sendable {
    public var kind = "step"
    /// Steps completed, this one included.
    public var step: Int
    public var loss: Float
    /// Drift loss of the corrector on this step's passages (before its update); nil without a corrector.
    public var driftLoss: Float?
    public var learningRate: Float
    public var gradientNorm: Float
    /// Passages encoded fresh for the loss.
    public var passagesEncoded: Int
    public var timings: StepTimings
}

/// An evaluation, as a line of `metrics.jsonl` (`"kind": "eval"`).
public struct EvaluationRecord: Codable, Equatable, Sendable {
    public var kind = "eval"
    public var step: Int
    /// `corrected` (h(g′)), `cache` (the sampling cache as it stands) or `fresh` (re-embedded by the final g).
    public var index: String
    public var accuracy: TopKAccuracy
    /// Top-k accuracy in percent, keyed by k, for readers of the file.
    public var topK: [String: Double]
    /// Passages re-embedded to refresh the cache so far (the cost axis of the comparison).
    public var reembeddedPassages: Int
    /// All passage-encoder passes so far, every purpose.
    public var encoderPasses: Int

    public init(step: Int, index: String, accuracy: TopKAccuracy, reembeddedPassages: Int, encoderPasses: Int) {
        self.step = step
        self.index = index
        self.accuracy = accuracy
        var table: [String: Double] = [:]
        for k in accuracy.ks { table["\(k)"] = accuracy.percentage(at: k) }
        topK = table
        self.reembeddedPassages = reembeddedPassages
        self.encoderPasses = encoderPasses
    }
}

/// A sampling-fidelity probe, as a line of `metrics.jsonl` (`"kind": "fidelity"`).
public struct FidelityRecord: Codable, Equatable, Sendable {
    public var kind = "fidelity"
    public var step: Int
    public var fidelity: SamplingFidelity
}

/// Appends JSON lines to `metrics.jsonl`, flushing each so a killed run keeps what it logged.
public final class MetricsLog {
    public let url: URL
    private let handle: FileHandle
    private let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return e
    }()

    /// Opens the log; with `keepingThrough` set, drops every line logged after that step (a resumed run
    /// redoes those steps), otherwise starts empty.
    public init(url: URL, keepingThrough step: Int?) throws {
        self.url = url
        var kept = Data()
        if let step, let old = try? String(contentsOf: url, encoding: .utf8) {
            for line in old.split(separator: "\n") {
                guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                      let lineStep = object["step"] as? Int, lineStep <= step else { continue }
                kept.append(contentsOf: line.utf8)
                kept.append(0x0A)
            }
        }
        do {
            try kept.write(to: url, options: .atomic)
            handle = try FileHandle(forWritingTo: url)
            try handle.seekToEnd()
        } catch {
            throw TrainingError.io(path: url.path, reason: "cannot write metrics (\(error.localizedDescription))")
        }
    }

    deinit { try? handle.close() }

    public func append<T: Encodable>(_ record: T) throws {
        var data = try encoder.encode(record)
        data.append(0x0A)
        try handle.write(contentsOf: data)
    }
}
