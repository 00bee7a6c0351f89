import ArgumentParser

@main
struct Quarry: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Retrieval-augmented question answering over document dumps.",
        subcommands: [IngestCommand.self, SearchCommand.self, StatsCommand.self, TrainCommand.self])
}
