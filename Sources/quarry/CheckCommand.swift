import ArgumentParser
import Foundation
import QuarryQA
import QuarryRetrieval
import QuarryStore
import QuarryTraining

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check the database, its BM25 index, every embedding cache, retriever and reader.",
        discussion: """
            Each part is ok, lagging (sound but behind the store or its model: it still serves, and the command \
            shown brings it up to date) or damaged (it cannot be read as recorded: the command shown repairs or \
            remakes it). Exits 1 when any part is damaged, 0 otherwise. Check changes nothing; run it beside a \
            writer and it judges the last committed state.
            """)

    @OptionGroup var store: StoreOptions

    @Flag(help: "Print the findings as JSON.")
    var json = false

    func run() throws {
        let corpus = try store.openExistingStore()
        let findings = [try corpus.databaseFinding()]
            + (try EmbeddingCacheCheck.findings(in: corpus))
            + (try RetrieverLibrary(store: corpus).findings())
            + (try ReaderLibrary(store: corpus).findings())
        if json {
            try JSONOutput.print(findings)
        } else {
            for finding in findings {
                print("\(finding.verdict.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)) \(finding.part): \(finding.detail)")
                if let repair = finding.repair { print("         repair: \(repair)") }
            }
        }
        if findings.contains(where: { $0.verdict == .damaged }) { throw ExitCode.failure }
    }
}
