import Foundation
import QuarryTestSupport
import XCTest

/// Keeps the README and the demo script true to the CLI: every `quarry …` command they show must name
/// subcommands and options the built binary accepts, with values where the option takes one.
final class DocumentedCommandsCLITests: CLITestCase {
    private func commandTree() throws -> CommandTree {
        let directory = try TestResources.temporaryDirectory(for: self)
        let dump = try quarry(["--experimental-dump-help"], in: directory)
        XCTAssertEqual(dump.status, 0, dump.stderr)
        return try CommandTree(dumpedHelp: Data(dump.stdout.utf8))
    }

    private func check(_ commands: [DocumentedCommand], in file: String, against tree: CommandTree) {
        for command in commands {
            for problem in tree.problems(with: command.words) {
                XCTFail("\(file):\(command.line): \(problem)\n    \(command.text)")
            }
        }
    }

    func testReadmeCommandsAreAcceptedByTheCLI() throws {
        let tree = try commandTree()
        let readme = try String(contentsOf: TestResources.packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let commands = DocumentedCommands.inMarkdown(readme)
        // The walk-through shows every subcommand; finding fewer means the extraction broke, not the README.
        let shown = Set(commands.compactMap { $0.words.first })
        XCTAssertTrue(shown.isSuperset(of: ["ingest", "stats", "search", "embed", "encode", "train", "ask", "eval"]), "\(shown)")
        XCTAssertGreaterThanOrEqual(commands.count, 12)
        check(commands, in: "README.md", against: tree)
    }

    func testDemoScriptCommandsAreAcceptedByTheCLI() throws {
        let tree = try commandTree()
        let script = try String(contentsOf: TestResources.packageRoot.appendingPathComponent("scripts/demo"), encoding: .utf8)
        let commands = DocumentedCommands.inScript(script, program: "$quarry")
        XCTAssertGreaterThanOrEqual(commands.count, 6)
        check(commands, in: "scripts/demo", against: tree)
    }

    /// The check itself: drift of each kind is reported, sound lines are not.
    func testDriftIsCaught() throws {
        let tree = try commandTree()
        let markdown = """
            ```sh
            quarry serch "origin of species"
            quarry search "origin of species" --top 5     # a renamed option
            quarry train reader --qa train.jsonl --minutes
            quarry stats --json=yes
            echo '"a sentence"' | quarry encode --model m extra
            quarry train
            quarry search --k 5 "fine" --json 2>/dev/null > out.json   # sound
            quarry train retriever --qa t.jsonl \\
                --steps 10 --batch 8                                  # sound
            ```
            """
        let commands = DocumentedCommands.inMarkdown(markdown)
        XCTAssertEqual(commands.map(\.line), [2, 3, 4, 5, 6, 7, 8, 9])
        XCTAssertEqual(commands[4].words, ["encode", "--model", "m", "extra"])
        XCTAssertEqual(commands[6].words, ["search", "--k", "5", "fine", "--json"])
        XCTAssertEqual(commands[7].words, ["train", "retriever", "--qa", "t.jsonl", "--steps", "10", "--batch", "8"])
        let problems = commands.map { tree.problems(with: $0.words) }
        XCTAssertEqual(problems[0], ["'quarry' has no subcommand 'serch'"])
        XCTAssertEqual(problems[1], ["'quarry search' has no option --top", "'quarry search' takes 1 argument(s), given 2"])
        XCTAssertEqual(problems[2], ["--minutes needs a value"])
        XCTAssertEqual(problems[3], ["--json is a flag and takes no value"])
        XCTAssertEqual(problems[4], ["'quarry encode' takes 0 argument(s), given 1"])
        XCTAssertEqual(problems[5], ["'quarry train' needs a subcommand"])
        XCTAssertEqual(problems[6], [])
        XCTAssertEqual(problems[7], [])
    }
}
