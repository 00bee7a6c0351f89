import Foundation

/// A `quarry …` command as written in a document: its words (after the program name) and where it stands.
struct DocumentedCommand {
    var line: Int
    var text: String
    var words: [String]
}

/// Finds `quarry` commands in Markdown code blocks and shell scripts, reading the shell's quoting well enough
/// for documentation: continuation lines joined, comments dropped, pipes and `;`/`&&`/`||` split, and a command
/// ending at its first redirection.
enum DocumentedCommands {
    /// Commands in the fenced code blocks of a Markdown text.
    static func inMarkdown(_ text: String) -> [DocumentedCommand] {
        var inBlock = false
        var blockLines: [(Int, String)] = []
        for (index, line) in text.components(separatedBy: "\n").enumerated() {
            if line.trimmingCharacters(in: .whitespaces).hasPrefix("```") { inBlock.toggle(); continue }
            if inBlock { blockLines.append((index + 1, line)) }
        }
        return commands(in: blockLines, program: "quarry")
    }

    /// Commands in a shell script that runs the built binary through a variable (`"$quarry" …`).
    static func inScript(_ text: String, program: String) -> [DocumentedCommand] {
        commands(in: text.components(separatedBy: "\n").enumerated().map { ($0.offset + 1, $0.element) }, program: program)
    }

    private static func commands(in lines: [(Int, String)], program: String) -> [DocumentedCommand] {
        var result: [DocumentedCommand] = []
        var pending = "", start = 0
        for (number, line) in lines {
            if pending.isEmpty { start = number }
            if line.hasSuffix("\\") { pending += line.dropLast() + " "; continue }
            let joined = pending + line
            pending = ""
            for segment in segments(of: joined) {
                // Shell keywords and `time` may stand before the program (`{ quarry …`, `then quarry …`).
                let words = segment.drop { ["{", "(", "!", "then", "do", "else", "time"].contains($0) }
                guard words.first == program else { continue }
                result.append(DocumentedCommand(line: start, text: joined.trimmingCharacters(in: .whitespaces),
                                                words: Array(words.dropFirst())))
            }
        }
        return result
    }

    /// The simple commands of one line, as word lists (quotes removed, variables left as written).
    static func segments(of line: String) -> [[String]] {
        var segments: [[String]] = [[]]
        var word = "", inWord = false, quote: Character?
        var redirected = false
        var characters = Array(line)[...]
        func endWord() {
            if inWord && !redirected { segments[segments.count - 1].append(word) }
            word = ""; inWord = false
        }
        while let c = characters.popFirst() {
            if let q = quote {
                if c == q { quote = nil } else { word.append(c) }
                continue
            }
            switch c {
            case "'", "\"": quote = c; inWord = true
            case "\\": if let next = characters.popFirst() { word.append(next); inWord = true }
            case " ", "\t": endWord()
            case "#" where !inWord: return segments.filter { !$0.isEmpty }
            case "|", ";", "&":
                endWord()
                if characters.first == c { characters.removeFirst() }
                segments.append([]); redirected = false
            case "<", ">":
                // A redirection ends the command's words (a leading file descriptor number is dropped too).
                if inWord && word.allSatisfy(\.isNumber) { word = ""; inWord = false }
                endWord(); redirected = true
            default: word.append(c); inWord = true
            }
        }
        endWord()
        return segments.filter { !$0.isEmpty }
    }
}

/// The command tree the CLI reports (`quarry --experimental-dump-help`): subcommands, and for each command its
/// options (whether each takes a value) and positional arguments.
struct CommandTree {
    var path: [String]
    var options: [String: Bool] = [:]
    var positionals = 0
    var repeatingPositional = false
    var subcommands: [String: CommandTree] = [:]

    init(dumpedHelp data: Data) throws {
        let root = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        guard let command = root?["command"] as? [String: Any] else { throw CocoaError(.coderReadCorrupt) }
        self.init(command, path: ["quarry"])
    }

    private init(_ command: [String: Any], path: [String]) {
        self.path = path
        for argument in command["arguments"] as? [[String: Any]] ?? [] {
            let kind = argument["kind"] as? String
            if kind == "positional" {
                positionals += 1
                if argument["isRepeating"] as? Bool == true { repeatingPositional = true }
                continue
            }
            for name in argument["names"] as? [[String: Any]] ?? [] {
                guard let text = name["name"] as? String else { continue }
                let spelled = (name["kind"] as? String) == "long" ? "--" + text : "-" + text
                options[spelled] = kind == "option"
            }
        }
        for sub in command["subcommands"] as? [[String: Any]] ?? [] {
            guard let name = sub["commandName"] as? String else { continue }
            subcommands[name] = CommandTree(sub, path: path + [name])
        }
    }

    /// What the CLI would refuse in `words`: an unknown subcommand or option, an option without its value, a
    /// flag given a value, more arguments than the command takes.
    func problems(with words: [String]) -> [String] {
        var node = self, rest = words[...]
        while let next = rest.first, let sub = node.subcommands[next] { node = sub; rest = rest.dropFirst() }
        let name = node.path.joined(separator: " ")
        if !node.subcommands.isEmpty {
            return [rest.first.map { "'\(name)' has no subcommand '\($0)'" } ?? "'\(name)' needs a subcommand"]
        }
        var problems: [String] = []
        var positionals = 0
        while let word = rest.popFirst() {
            if word == "--" { positionals += rest.count; break }
            guard word.hasPrefix("-"), word.count > 1, Double(word) == nil else { positionals += 1; continue }
            let parts = word.split(separator: "=", maxSplits: 1).map(String.init)
            guard let takesValue = node.options[parts[0]] else {
                problems.append("'\(name)' has no option \(parts[0])"); continue
            }
            if takesValue && parts.count == 1 && rest.popFirst() == nil { problems.append("\(parts[0]) needs a value") }
            if !takesValue && parts.count == 2 { problems.append("\(parts[0]) is a flag and takes no value") }
        }
        if positionals > node.positionals && !node.repeatingPositional {
            problems.append("'\(name)' takes \(node.positionals) argument(s), given \(positionals)")
        }
        return problems
    }
}
