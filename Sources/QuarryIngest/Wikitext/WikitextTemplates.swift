/// Removal of templates (`{{…}}`, including parameters `{{{…}}}` and parser functions) and tables
/// (`{|…|}`), nested in each other to any depth. One pass with an explicit stack of open constructs.
enum WikitextTemplates {
    private enum Opener { case template, parameter, table }

    /// The bytes that can open or close a construct.
    nonisolated(unsafe) private static let braces = byteTable([ASCII.openBrace, ASCII.closeBrace, ASCII.pipe])

    /// How often an unclosed opener is dropped and the scan resumed after it before the rest of the
    /// page is given up as markup: keeps pathological pages linear.
    private static let resumeLimit = 8

    static func strip(_ input: [UInt8]) -> [UInt8] {
        guard input.contains(ASCII.openBrace) || input.contains(ASCII.closeBrace) else { return input }
        return ByteWriter.transform(input) { bytes, output in
            var start = 0
            var resumes = 0
            while let unclosed = scan(bytes, from: start, into: &output, giveUpUnclosed: resumes >= resumeLimit) {
                // An opener never closed: treat its two bytes as stray and carry on just after them.
                resumes += 1
                start = unclosed + 2
            }
        }
    }

    /// Copies text outside templates and tables from `start` on. Returns the position of the outermost
    /// opener still open at the end (output written up to it), or nil when the page was consumed.
    private static func scan(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, into output: inout ByteWriter,
                             giveUpUnclosed: Bool) -> Int? {
        var stack: [Opener] = []
        var outermost = 0
        var index = start
        while index < bytes.count {
            // Runs of ordinary bytes are copied (outside any construct) or skipped (inside) at once.
            let next = nextMarked(braces, in: bytes, from: index)
            if stack.isEmpty { output.append(bytes, from: index, to: next) }
            index = next
            guard index < bytes.count else { break }
            let byte = bytes[index]
            if byte == ASCII.openBrace, index + 1 < bytes.count {
                let next = bytes[index + 1]
                // "{|" opens a table even mid-line: some pages arrive with their newlines lost.
                if next == ASCII.openBrace || next == ASCII.pipe {
                    if stack.isEmpty { outermost = index }
                    let triple = next == ASCII.openBrace && index + 2 < bytes.count && bytes[index + 2] == ASCII.openBrace
                    stack.append(next == ASCII.pipe ? .table : (triple ? .parameter : .template))
                    index += triple ? 3 : 2
                    continue
                }
            } else if byte == ASCII.closeBrace, index + 1 < bytes.count, bytes[index + 1] == ASCII.closeBrace {
                if stack.last == .parameter, index + 2 < bytes.count, bytes[index + 2] == ASCII.closeBrace {
                    stack.removeLast(); index += 3; continue
                }
                if stack.last == .parameter { stack[stack.count - 1] = .template }   // "{{{" that was "{" + "{{"
                if stack.last == .template { stack.removeLast() }
                else if stack.isEmpty { index += 2; continue }    // stray closer: drop it
                else if !stack.contains(where: { $0 != .table }) { index += 2; continue }
                else { while stack.last == .table { stack.removeLast() }; stack.removeLast() }
                index += 2
                continue
            } else if byte == ASCII.pipe, index + 1 < bytes.count, bytes[index + 1] == ASCII.closeBrace,
                      stack.isEmpty ? bytes.atLineStart(index) : stack.last == .table {
                if !stack.isEmpty { stack.removeLast() }
                index += 2
                continue
            }
            if stack.isEmpty { output.append(byte) }
            index += 1
        }
        if stack.isEmpty || giveUpUnclosed { return nil }
        return outermost
    }
}
