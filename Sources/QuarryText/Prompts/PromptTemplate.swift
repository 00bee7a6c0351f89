/// A text template with `{name}` placeholders (`{{` and `}}` stand for literal braces).
///
/// Rendering drops a line whose placeholders all render empty, so an absent title leaves no blank line
/// behind; one trailing newline of the file is ignored. Placeholders are checked when the template is
/// parsed: a name outside `allowed` is an error naming the file, the line and the placeholder.
public struct PromptTemplate: Sendable, Equatable {
    enum Piece: Sendable, Equatable {
        case literal(String)
        case placeholder(String)
    }

    /// Lines of pieces.
    let lines: [[Piece]]
    /// Where the template came from, for messages.
    public let source: String

    /// Parses `text`; `source` names it in messages, `allowed` lists the placeholders it may use.
    public init(_ text: String, source: String, allowed: Set<String>) throws {
        self.source = source
        // "\r\n" is one Character in Swift, so Windows line ends are made "\n" before any cutting by lines.
        var body = text.replacingOccurrences(of: "\r\n", with: "\n")
        if body.hasSuffix("\n") { body.removeLast() }
        var lines: [[Piece]] = []
        for (number, line) in body.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            lines.append(try PromptTemplate.parse(line, line: number + 1, source: source, allowed: allowed))
        }
        self.lines = lines
    }

    private static func parse(_ line: Substring, line number: Int, source: String, allowed: Set<String>) throws -> [Piece] {
        var pieces: [Piece] = []
        var literal = ""
        var i = line.startIndex
        while i < line.endIndex {
            let c = line[i]
            let next = line.index(after: i)
            if (c == "{" || c == "}") && next < line.endIndex && line[next] == c {
                literal.append(c)
                i = line.index(after: next)
                continue
            }
            if c == "}" { throw PromptError.unbalancedBrace(source: source, line: number) }
            if c == "{" {
                guard let close = line[next...].firstIndex(of: "}") else {
                    throw PromptError.unbalancedBrace(source: source, line: number)
                }
                let name = String(line[next..<close])
                guard allowed.contains(name) else {
                    throw PromptError.unknownPlaceholder(source: source, line: number, name: name, allowed: allowed.sorted())
                }
                if !literal.isEmpty { pieces.append(.literal(literal)); literal = "" }
                pieces.append(.placeholder(name))
                i = line.index(after: close)
                continue
            }
            literal.append(c)
            i = next
        }
        if !literal.isEmpty { pieces.append(.literal(literal)) }
        return pieces
    }

    /// Templates are equal when they render alike, wherever they came from.
    public static func == (a: PromptTemplate, b: PromptTemplate) -> Bool { a.lines == b.lines }

    /// The placeholders the template uses.
    public var placeholders: Set<String> {
        var names = Set<String>()
        for line in lines { for case let .placeholder(name) in line { names.insert(name) } }
        return names
    }

    /// The rendered text and, for each placeholder, the UTF-8 range of its first rendered value.
    public func render(_ values: [String: String]) -> RenderedPrompt {
        var text = ""
        var ranges: [String: Range<Int>] = [:]
        var utf8Count = 0
        var firstLine = true
        for line in lines {
            let hasPlaceholder = line.contains { if case .placeholder = $0 { return true } else { return false } }
            let allEmpty = line.allSatisfy {
                if case let .placeholder(name) = $0 { return (values[name] ?? "").isEmpty } else { return true }
            }
            if hasPlaceholder && allEmpty { continue }
            if !firstLine { text += "\n"; utf8Count += 1 }
            firstLine = false
            for piece in line {
                switch piece {
                case let .literal(literal):
                    text += literal
                    utf8Count += literal.utf8.count
                case let .placeholder(name):
                    let value = values[name] ?? ""
                    if ranges[name] == nil { ranges[name] = utf8Count..<(utf8Count + value.utf8.count) }
                    text += value
                    utf8Count += value.utf8.count
                }
            }
        }
        return RenderedPrompt(text: text, ranges: ranges)
    }
}

/// A rendered template: the text, and where each placeholder's value landed (UTF-8 offsets), so that
/// token offsets in the text can be mapped back into, say, the passage.
public struct RenderedPrompt: Sendable, Equatable {
    /// The rendered text.
    public var text: String
    /// Placeholder name → UTF-8 range of its value in `text`.
    public var ranges: [String: Range<Int>]
}

/// A template that cannot be used; names the file and the line.
public enum PromptError: Error, CustomStringConvertible, Equatable {
    case unknownPlaceholder(source: String, line: Int, name: String, allowed: [String])
    case unbalancedBrace(source: String, line: Int)
    case missingSeparator(source: String)
    case unreadable(source: String, reason: String)

    public var description: String {
        switch self {
        case let .unknownPlaceholder(source, line, name, allowed):
            return "\(source):\(line): unknown placeholder {\(name)}; this template may use "
                + allowed.map { "{\($0)}" }.joined(separator: ", ")
        case let .unbalancedBrace(source, line):
            return "\(source):\(line): unbalanced brace (write {{ or }} for a literal brace)"
        case let .missingSeparator(source):
            return "\(source): the reader template needs a line [SEP] between the question part and the passage part"
        case let .unreadable(source, reason):
            return "\(source): cannot read (\(reason))"
        }
    }
}
