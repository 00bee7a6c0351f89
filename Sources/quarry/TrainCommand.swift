import ArgumentParser

/// `quarry train …`: the training commands.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train the models of the pipeline on question–answer pairs.",
        subcommands: [TrainRetrieverCommand.self, TrainReaderCommand.self, TrainPlotCommand.self])
}
