import CLibXML2
import Glibc

/// A read-only view of one node of an expanded subtree (owned by the `XMLStream` that expanded it).
struct XMLNode {
    let pointer: xmlNodePtr

    init(_ pointer: xmlNodePtr) { self.pointer = pointer }

    var isElement: Bool { pointer.pointee.type == XML_ELEMENT_NODE }

    /// The local name, without namespace prefix.
    var name: String { pointer.pointee.name.map { String(cString: $0) } ?? "" }

    /// Compares the local name case-sensitively without building a String.
    func nameIs(_ other: String) -> Bool {
        guard let raw = pointer.pointee.name else { return false }
        return other.withCString { strcmp(UnsafeRawPointer(raw).assumingMemoryBound(to: CChar.self), $0) == 0 }
    }

    /// The line the node starts on in its file.
    var line: Int { Int(xmlGetLineNo(pointer)) }

    /// Child elements in document order.
    var elements: [XMLNode] {
        var result: [XMLNode] = []
        var child = pointer.pointee.children
        while let node = child {
            if node.pointee.type == XML_ELEMENT_NODE { result.append(XMLNode(node)) }
            child = node.pointee.next
        }
        return result
    }

    func firstElement(named name: String) -> XMLNode? { elements.first { $0.nameIs(name) } }

    /// The first descendant element (depth first) with this name.
    func firstDescendant(named name: String) -> XMLNode? {
        var stack = elements.reversed() as [XMLNode]
        while let node = stack.popLast() {
            if node.nameIs(name) { return node }
            stack.append(contentsOf: node.elements.reversed())
        }
        return nil
    }

    func attribute(_ name: String) -> String? {
        guard let value = xmlGetProp(pointer, name) else { return nil }
        defer { xmlFree(value) }
        return String(cString: value)
    }

    /// The concatenated text below this node. Entity references are never followed (their content is not
    /// expanded), and elements named in `skipping` are left out with their subtrees. Iterative, so deep
    /// nesting cannot overflow the stack.
    func text(skipping: Set<String> = []) -> String {
        String(decoding: textBytes(skipping: skipping), as: UTF8.self)
    }

    /// `text` as UTF-8 bytes.
    func textBytes(skipping: Set<String> = []) -> [UInt8] {
        var bytes: [UInt8] = []
        appendText(to: &bytes, skipping: skipping, separator: nil)
        return bytes
    }

    /// Like `text`, appending to a byte buffer; `separator` goes after each element listed in it
    /// (e.g. a space after block elements so words do not run together).
    func appendText(to bytes: inout [UInt8], skipping: Set<String>, separator: Set<String>?) {
        var stack: [(xmlNodePtr, Bool)] = [(pointer, false)]
        while let (node, closing) = stack.popLast() {
            if closing { bytes.append(0x20); continue }
            switch node.pointee.type {
            case XML_TEXT_NODE, XML_CDATA_SECTION_NODE:
                if let content = node.pointee.content {
                    let count = strlen(UnsafeRawPointer(content).assumingMemoryBound(to: CChar.self))
                    bytes.append(contentsOf: UnsafeBufferPointer(start: content, count: count))
                }
            case XML_ELEMENT_NODE:
                let name = XMLNode(node).name
                if node != pointer && skipping.contains(name) { continue }
                if let separator, separator.contains(name) { stack.append((node, true)) }
                var children: [xmlNodePtr] = []
                var child = node.pointee.children
                while let next = child { children.append(next); child = next.pointee.next }
                for child in children.reversed() { stack.append((child, false)) }
            default:
                continue   // entity references, comments, processing instructions
            }
        }
    }
}
