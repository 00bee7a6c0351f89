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

    /// Opens the log; with `keepingThrough` set, keeps the lines logged up to that step and cuts the file
    /// after them (a resumed run redoes the later steps, and would log them twice; a line a kill cut short
    /// goes too), otherwise starts empty. The cut is one truncation in place, so a kill leaves no copy behind.
    /// `redone` marks lines the resumed run writes again even at a kept step (they and all after them go).
    public init(url: URL, keepingThrough step: Int?, redone: @escaping ([String: Any]) -> Bool = { _ in false }) throws {
        self.url = url
        do {
            if !FileManager.default.fileExists(atPath: url.path) {
                guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
                    throw WriteError(path: url.path, reason: "cannot create the file")
                }
            }
            let file = try FileHandle(forUpdating: url)
            let kept = try step.map { Self.keptLength(of: try file.readToEnd() ?? Data(), through: $0, redone: redone) } ?? 0
            try file.truncate(atOffset: UInt64(kept))
            try file.seekToEnd()
            handle = file
        } catch let error as WriteError {
            throw error
        } catch {
            throw WriteError(path: url.path, reason: error.localizedDescription)
        }
    }

    /// The length of the log's leading whole lines whose `step` is at most `step`, up to the first `redone` one.
    private static func keptLength(of data: Data, through step: Int, redone: ([String: Any]) -> Bool) -> Int {
        var start = data.startIndex
        while let newline = data[start...].firstIndex(of: 0x0A) {
            guard let object = try? JSONSerialization.jsonObject(with: data[start..<newline]) as? [String: Any],
                  let lineStep = object["step"] as? Int, lineStep <= step, !redone(object) else { break }
            start = newline + 1
        }
        return start - data.startIndex
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
