import CLibXML2
import Glibc

/// libxml2's pull reader over a `ByteSource`, configured for untrusted input: no network, no DTD loading,
/// no entity substitution (so billion-laughs and external-entity files expand nothing), no XML_PARSE_HUGE
/// (its limits are what keep amplification in check). Records are handled by expanding one subtree at a
/// time and skipping past it, so memory stays flat whatever the file size.
final class XMLStream {
    let path: String
    private let feed: InputFeed
    private let reader: xmlTextReaderPtr
    private let errors: ErrorLog
    /// Columns on the first line are shifted by a synthetic prefix; this undoes it in error positions.
    private let prefixLength: Int

    static let parseOptions: Int32 = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue
        | XML_PARSE_NOWARNING.rawValue | XML_PARSE_NOCDATA.rawValue | XML_PARSE_COMPACT.rawValue | XML_PARSE_BIG_LINES.rawValue)

    /// - Parameters:
    ///   - prefix, suffix: bytes fed before and after the file (a synthetic root for root-less files).
    init(source: ByteSource, prefix: [UInt8] = [], suffix: [UInt8] = []) throws {
        XMLStream.refuseExternalLoads
        path = source.path
        feed = InputFeed(source: source, prefix: prefix, suffix: suffix)
        errors = ErrorLog()
        prefixLength = prefix.count
        let context = Unmanaged.passUnretained(feed).toOpaque()
        guard let made = xmlReaderForIO(inputRead, nil, context, source.path, nil, XMLStream.parseOptions) else {
            throw IngestError(file: path, place: "", message: "cannot start the XML parser")
        }
        reader = made
        xmlTextReaderSetStructuredErrorHandler(reader, recordError, Unmanaged.passUnretained(errors).toOpaque())
    }

    deinit {
        xmlTextReaderClose(reader)
        xmlFreeTextReader(reader)
    }

    /// Belt and braces beside the parse options: any attempt to load an external resource (DTD, entity)
    /// gets nothing. Installed once per process.
    static let refuseExternalLoads: Void = {
        xmlSetExternalEntityLoader { _, _, _ in nil }
    }()

    // MARK: Moving

    /// Advances to the next node; false at the end of the document.
    func read() throws -> Bool {
        // A failed file read stops libxml2 only once it runs out of buffered input: report it then.
        let status = xmlTextReaderRead(reader)
        if status < 0 || (status == 0 && feed.failure != nil) { throw failure() }
        return status == 1
    }

    /// Skips the current node's subtree, landing on the node after it; false at the end.
    func skipSubtree() throws -> Bool {
        let status = xmlTextReaderNext(reader)
        if status < 0 || (status == 0 && feed.failure != nil) { throw failure() }
        return status == 1
    }

    /// The current element with its whole subtree parsed (valid until the reader moves on).
    func expand() throws -> XMLNode {
        guard let node = xmlTextReaderExpand(reader) else { throw failure() }
        return XMLNode(node)
    }

    var isElementStart: Bool { xmlTextReaderNodeType(reader) == Int32(XML_READER_TYPE_ELEMENT.rawValue) }
    var depth: Int { Int(xmlTextReaderDepth(reader)) }
    var line: Int { Int(xmlTextReaderGetParserLineNumber(reader)) }

    /// True when the current node's local name is `name` (compared without building a String).
    func nameIs(_ name: StaticString) -> Bool {
        guard let local = xmlTextReaderConstLocalName(reader) else { return false }
        return strcmp(UnsafeRawPointer(local).assumingMemoryBound(to: CChar.self),
                      UnsafeRawPointer(name.utf8Start).assumingMemoryBound(to: CChar.self)) == 0
    }

    var localName: String {
        guard let local = xmlTextReaderConstLocalName(reader) else { return "" }
        return String(cString: local)
    }

    // MARK: Errors

    /// The error that stopped the parser, located: a read failure of the byte source (its byte offset), or
    /// libxml2's own message with line and column.
    func failure() -> IngestError {
        if let failure = feed.failure { return failure }
        if let error = errors.first ?? errors.firstError {
            let column = error.line == 1 ? max(1, error.column - prefixLength) : error.column
            return IngestError(file: path, place: "line \(error.line), column \(column)",
                               message: "malformed XML: \(error.message)")
        }
        return IngestError(file: path, place: "line \(line)", message: "malformed XML")
    }

    /// An error about the current position for problems the parser does not see (missing elements, …).
    func error(_ message: String, line: Int? = nil) -> IngestError {
        IngestError(file: path, place: "line \(line ?? self.line)", message: message)
    }
}

/// The bytes libxml2 pulls: an optional prefix, the (decompressed) file, an optional suffix.
private final class InputFeed {
    let source: ByteSource
    var prefix: [UInt8]
    var prefixOffset = 0
    var suffix: [UInt8]
    var suffixOffset = 0
    var sourceEnded = false
    var failure: IngestError?

    init(source: ByteSource, prefix: [UInt8], suffix: [UInt8]) {
        self.source = source
        self.prefix = prefix
        self.suffix = suffix
    }

    func fill(_ buffer: UnsafeMutablePointer<UInt8>, _ capacity: Int) -> Int {
        if prefixOffset < prefix.count { return copy(&prefix, &prefixOffset, buffer, capacity) }
        if !sourceEnded {
            do {
                let count = try source.read(into: buffer, capacity: capacity)
                if count > 0 { return count }
                sourceEnded = true
            } catch let error as IngestError {
                failure = error
                return -1
            } catch {
                failure = IngestError(file: source.path, place: "", message: "\(error)")
                return -1
            }
        }
        return copy(&suffix, &suffixOffset, buffer, capacity)
    }

    private func copy(_ bytes: inout [UInt8], _ offset: inout Int, _ buffer: UnsafeMutablePointer<UInt8>, _ capacity: Int) -> Int {
        let count = min(capacity, bytes.count - offset)
        guard count > 0 else { return 0 }
        bytes.withUnsafeBufferPointer { buffer.update(from: $0.baseAddress! + offset, count: count) }
        offset += count
        return count
    }
}

private func inputRead(_ context: UnsafeMutableRawPointer?, _ buffer: UnsafeMutablePointer<CChar>?, _ length: Int32) -> Int32 {
    guard let context, let buffer, length > 0 else { return 0 }
    let feed = Unmanaged<InputFeed>.fromOpaque(context).takeUnretainedValue()
    return Int32(feed.fill(UnsafeMutableRawPointer(buffer).assumingMemoryBound(to: UInt8.self), Int(length)))
}

/// The first serious error libxml2 reported (warnings are ignored: e.g. an undeclared entity in a file
/// whose DTD we deliberately do not load).
final class ErrorLog {
    struct Entry { var line: Int; var column: Int; var message: String }
    var first: Entry?
    /// The first error below fatal: some limits (libxml2's 10 MB text node) stop the reader at that level.
    var firstError: Entry?
}

func recordError(_ context: UnsafeMutableRawPointer?, _ error: xmlErrorPtr?) {
    guard let context, let error else { return }
    let log = Unmanaged<ErrorLog>.fromOpaque(context).takeUnretainedValue()
    guard log.first == nil, error.pointee.level.rawValue >= XML_ERR_ERROR.rawValue else { return }
    if error.pointee.level.rawValue < XML_ERR_FATAL.rawValue && log.firstError != nil { return }
    var message = error.pointee.message.map { String(cString: $0) } ?? "parse error"
    while message.last?.isWhitespace == true { message.removeLast() }
    let entry = ErrorLog.Entry(line: Int(error.pointee.line), column: Int(error.pointee.int2), message: message)
    if error.pointee.level.rawValue >= XML_ERR_FATAL.rawValue { log.first = entry } else { log.firstError = entry }
}
