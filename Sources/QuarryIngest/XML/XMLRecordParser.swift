import CLibXML2
import Glibc

/// Parses one small, self-contained XML record held in memory (a TREC `<DOC>`), with the same
/// untrusted-input options as `XMLStream`. One libxml2 reader, reset for record after record.
final class XMLRecordParser {
    private var reader: xmlTextReaderPtr?
    private let errors = ErrorLog()

    init() { XMLStream.refuseExternalLoads }

    deinit { if let reader { xmlFreeTextReader(reader) } }

    /// The record's root element, valid until the next call, or the first error with line and column
    /// relative to the record's first line.
    func parse(_ bytes: UnsafeBufferPointer<UInt8>, name: String) -> Result<XMLNode, RecordError> {
        errors.first = nil
        let raw = UnsafeRawPointer(bytes.baseAddress!).assumingMemoryBound(to: CChar.self)
        if let reader {
            guard xmlReaderNewMemory(reader, raw, Int32(bytes.count), name, nil, XMLStream.parseOptions) == 0 else {
                return .failure(RecordError(line: 1, column: 1, message: "cannot reset the XML parser"))
            }
        } else {
            reader = xmlReaderForMemory(raw, Int32(bytes.count), name, nil, XMLStream.parseOptions)
        }
        guard let reader else { return .failure(RecordError(line: 1, column: 1, message: "cannot start the XML parser")) }
        xmlTextReaderSetStructuredErrorHandler(reader, recordError, Unmanaged.passUnretained(errors).toOpaque())
        // Expanding the first element parses the whole record (it is cut at its closing tag); reading on
        // would free the expanded nodes.
        var root: xmlNodePtr?
        var status: Int32 = 1
        while status == 1 && root == nil {
            status = xmlTextReaderRead(reader)
            if status == 1, xmlTextReaderNodeType(reader) == Int32(XML_READER_TYPE_ELEMENT.rawValue) {
                root = xmlTextReaderExpand(reader)
                if root == nil { status = -1 }
            }
        }
        if status < 0 || errors.first != nil || root == nil {
            let error = errors.first ?? ErrorLog.Entry(line: 1, column: 1, message: root == nil ? "no element" : "parse error")
            return .failure(RecordError(line: max(1, error.line), column: error.column, message: error.message))
        }
        return .success(XMLNode(root!))
    }

    struct RecordError: Error {
        var line: Int
        var column: Int
        var message: String
    }
}
