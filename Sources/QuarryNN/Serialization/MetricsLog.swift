import Foundation

/// A training run's `metrics.jsonl`: one JSON object per line, each written straight to the file so a killed
/// run keeps what it logged. Every line carries the `step` it was logged at.
public final class MetricsLog {
    public struct WriteError: Error, CustomStringConvertible {
        public var path: String
        public var reason: String
        public var description: String { "\(path): cannot write metrics (\(reason))" }
    }

    public let url: URL
    private let handle: FileHandle
    private let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return e
    }()

    /// Opens the log; with `keepingThrough` set, drops every line logged after that step (a resumed run
    /// redoes those steps, and would log them twice), otherwise starts empty.
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
            throw WriteError(path: url.path, reason: error.localizedDescription)
        }
    }

    deinit { try? handle.close() }

    /// Appends `record` as one line (keys sorted).
    public func append<T: Encodable>(_ record: T) throws {
        try write(try encoder.encode(record))
    }

    /// Appends a JSON object built by hand as one line (keys sorted).
    public func append(object: [String: Any]) throws {
        try write(try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]))
    }

    private func write(_ line: Data) throws {
        do { try handle.write(contentsOf: line + Data([0x0A])) } catch {
            throw WriteError(path: url.path, reason: error.localizedDescription)
        }
    }
}
