import CLibXML2
import Glibc

/// Parses one small, self-contained XML record held in memory (a TREC `<DOC>`), with the same
/// untrusted-input options as `XMLStream`. One parser context, reused record after record.
final class XMLRecordParser {
    private let context: xmlParserCtxtPtr
    private var document: xmlDocPtr?

    init() {
        XMLStream.refuseExternalLoads
        context = xmlNewParserCtxt()
    }

    deinit {
        if let document { xmlFreeDoc(document) }
        xmlFreeParserCtxt(context)
    }

    /// The record's root element (valid until the next call), or the error with line and column
    /// relative to the record's first line.
    func parse(_ bytes: UnsafeBufferPointer<UInt8>, name: String) -> Result<XMLNode, RecordError> {
        if let document { xmlFreeDoc(document); self.document = nil }
        let raw = UnsafeRawPointer(bytes.baseAddress!).assumingMemoryBound(to: CChar.self)
        let parsed = xmlCtxtReadMemory(context, raw, Int32(bytes.count), name, nil, XMLStream.parseOptions)
        guard let parsed, context.pointee.wellFormed != 0, let root = xmlDocGetRootElement(parsed) else {
            if let parsed { xmlFreeDoc(parsed) }
            let error = context.pointee.lastError
            var message = error.message.map { String(cString: $0) } ?? "parse error"
            while message.last?.isWhitespace == true { message.removeLast() }
            return .failure(RecordError(line: max(1, Int(error.line)), column: Int(error.int2), message: message))
        }
        document = parsed
        return .success(XMLNode(root))
    }

    struct RecordError: Error {
        var line: Int
        var column: Int
        var message: String
    }
}
