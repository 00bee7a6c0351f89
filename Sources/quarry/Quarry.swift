import ArgumentParser

@main
struct Quarry: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Retrieval-augmented question answering over document dumps.",
        subcommands: [IngestCommand.self, StatsCommand.self, SearchCommand.self, EncodeCommand.self, EmbedCommand.self,
                      TrainCommand.self, AskCommand.self, EvalCommand.self, CheckCommand.self])
}
