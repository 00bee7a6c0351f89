/// UTF-8 validation that says where the input goes wrong.
enum UTF8Check {
    /// The text of `bytes`, or the offset of the first byte that is not part of valid UTF-8.
    static func decode<Bytes: Collection>(_ bytes: Bytes) -> Result<String, InvalidUTF8> where Bytes.Element == UInt8 {
        if let text = String(validating: bytes, as: UTF8.self) { return .success(text) }
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        var offset = 0
        while true {
            switch decoder.decode(&iterator) {
            case let .scalarValue(scalar): offset += UTF8.width(scalar)
            case .emptyInput: return .failure(InvalidUTF8(offset: offset))
            case .error: return .failure(InvalidUTF8(offset: offset))
            }
        }
    }

    struct InvalidUTF8: Error {
        var offset: Int
    }
}
