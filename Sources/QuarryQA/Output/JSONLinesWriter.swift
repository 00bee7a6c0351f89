import Foundation

/// Writes Encodable values as JSON lines (keys sorted) to an `OutputFile`.
public final class JSONLinesWriter {
    private let file: OutputFile
    private let encoder = JSONEncoder()

    public init(path: String) throws {
        file = try OutputFile(path: path)
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    }

    public func write<T: Encodable>(_ value: T) throws {
        var line = try encoder.encode(value)
        line.append(0x0A)
        try file.write(line)
    }

    public func close() throws { try file.close() }
}
