import ArgumentParser
import Foundation
import QuarryRetrieval

struct EncodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "encode",
        abstract: "Embed texts read from stdin, one JSON string per line; print one {\"embedding\": […]} line each.",
        discussion: """
            Texts are encoded as given (no query or passage template), truncated to the model's limit
            (--max-tokens lowers it). Lines are read and answered in batches, so output starts before the
            input ends; output order is input order. A line that is not a JSON string stops the run with an
            error naming it.
            """)

    @OptionGroup var precisionOptions: PrecisionOptions

    @Option(help: "The model folder (config.json, vocab.txt, model.safetensors).")
    var model: String

    @Option(help: "Texts encoded together.")
    var batch = 32

    @Option(name: .customLong("max-tokens"), help: "Token limit per text, special tokens included (default: the model's).")
    var maxTokens: Int?

    func validate() throws {
        if batch < 1 { throw ValidationError("--batch must be at least 1") }
        if let maxTokens, maxTokens < 3 { throw ValidationError("--max-tokens must be at least 3") }
    }

    func run() throws {
        precisionOptions.apply(quiet: false)
        SentenceEncoder.useAllCores()
        let encoder: SentenceEncoder
        do { encoder = try SentenceEncoder(modelFolder: URL(fileURLWithPath: model)) } catch {
            StandardError.write("error: \(error)\n")
            throw ExitCode.failure
        }
        var texts = [String]()
        var lineNumber = 0
        while let line = readLine(strippingNewline: true) {
            lineNumber += 1
            guard let text = Self.jsonString(line) else {
                StandardError.write("error: stdin line \(lineNumber): expected one JSON string, got \(Self.excerpt(line))\n")
                throw ExitCode.failure
            }
            texts.append(text)
            if texts.count == batch {
                try write(encoder, texts)
                texts.removeAll(keepingCapacity: true)
            }
        }
        try write(encoder, texts)
    }

    private func write(_ encoder: SentenceEncoder, _ texts: [String]) throws {
        guard !texts.isEmpty else { return }
        let rows = try encoder.embed(texts, limit: maxTokens, batchSize: batch)
        let d = encoder.dimension
        var out = ""
        out.reserveCapacity(texts.count * d * 12)
        for i in 0..<texts.count {
            out += "{\"embedding\":["
            for j in 0..<d {
                if j > 0 { out += "," }
                out += rows[i * d + j].description
            }
            out += "]}\n"
        }
        FileHandle.standardOutput.write(Data(out.utf8))
    }

    /// The string a line holds as JSON, or nil when it holds something else.
    static func jsonString(_ line: String) -> String? {
        let data = Data(line.utf8)
        return (try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])) as? String
    }

    private static func excerpt(_ line: String) -> String {
        line.isEmpty ? "an empty line" : "\"\(line.prefix(60))\(line.count > 60 ? "…" : "")\""
    }
}
