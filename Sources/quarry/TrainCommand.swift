import ArgumentParser

/// `quarry train …`: the training commands.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train models on question–answer pairs.",
        subcommands: [TrainRetrieverCommand.self, TrainPlotCommand.self])
}
