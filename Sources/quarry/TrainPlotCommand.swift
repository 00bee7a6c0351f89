import ArgumentParser
import Foundation
import QuarryTraining

struct TrainPlotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plot",
        abstract: "Draw top-k accuracy against steps and against re-embedded passages for training runs, as SVG.",
        discussion: """
            Solid lines go through the cache negative sampling used, dashed ones through the corpus re-embedded at \
            each evaluation (--fidelity-questions), squares through the served cache after training. --fidelity \
            draws the KL divergence from the fresh softmax and the top-K recall of the stale and corrected caches instead.
            """)

    @Argument(help: "Run folders (<db>.retrievers/NAME) to compare.")
    var runs: [String]

    @Option(name: [.customShort("k"), .customLong("k")], help: "Which top-k accuracy to plot.")
    var k = 20

    @Option(name: .shortAndLong, help: "The SVG file to write.")
    var output = "accuracy.svg"

    @Flag(help: "Plot sampling fidelity (runs trained with --fidelity-questions) instead of accuracy.")
    var fidelity = false

    func validate() throws {
        if runs.isEmpty { throw ValidationError("give at least one run folder") }
    }

    func run() throws {
        if fidelity {
            try FidelityPlot.svg(runFolders: runs.map { URL(fileURLWithPath: $0) }).write(toFile: output, atomically: true, encoding: .utf8)
            print("wrote \(output)")
            return
        }
        let series = try runs.map { try AccuracySeries.read(runFolder: URL(fileURLWithPath: $0), k: k) }
        try AccuracyPlot.svg(series, k: k).write(toFile: output, atomically: true, encoding: .utf8)
        print("wrote \(output) (\(series.map { "\($0.label): \($0.points.count) points" }.joined(separator: ", ")))")
    }
}
