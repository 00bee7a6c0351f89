import Foundation

/// The BERT uncased WordPiece tokenizer, producing the same ids as the Hugging Face reference
/// (`BertTokenizerFast` with lower-casing and accent stripping): see `ScalarNormalization` for the text
/// clean-up, then greedy longest-match-first WordPiece with `##` continuations; a word longer than 100
/// scalars, or one that cannot be split into known pieces, becomes `[UNK]`.
///
/// Immutable and `Sendable`: one instance can serve many threads.
public struct BertTokenizer: Sendable {
    /// The model's `vocab.txt`.
    public let vocabulary: WordPieceVocabulary
    /// Maximum sequence length, special tokens included.
    public let maxLength: Int
    /// Ids of `[CLS]`, `[SEP]`, `[PAD]` and `[UNK]`.
    public let clsID: Int
    public let sepID: Int
    public let padID: Int
    public let unkID: Int
    /// Words with more scalars than this become `[UNK]`.
    public let maxWordScalars = 100
    /// `[PAD]`, `[UNK]`, `[CLS]`, `[SEP]`, `[MASK]` as UTF-8 with their ids: written literally in a text they
    /// stand for themselves (case-sensitive, before any normalisation), as in the reference.
    let specialTokens: [(bytes: [UInt8], id: Int)]

    /// A tokenizer over `vocabulary`; the special tokens must be in it.
    public init(vocabulary: WordPieceVocabulary, maxLength: Int, source: String = "vocabulary") throws {
        func special(_ token: String) throws -> Int {
            guard let id = vocabulary.id(of: token) else { throw TokenizerError.missingSpecialToken(path: source, token: token) }
            return id
        }
        self.vocabulary = vocabulary
        self.maxLength = maxLength
        clsID = try special("[CLS]")
        sepID = try special("[SEP]")
        padID = try special("[PAD]")
        unkID = try special("[UNK]")
        specialTokens = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"].compactMap { token in
            vocabulary.id(of: token).map { (Array(token.utf8), $0) }
        }
        _ = ScalarNormalizationTable.shared
    }

    /// Loads `vocab.txt` from a Hugging Face model folder. The maximum length is `max_seq_length` from
    /// `sentence_bert_config.json` when present, else `max_position_embeddings` from `config.json`, else 512.
    public init(modelDirectory: URL) throws {
        let vocabURL = modelDirectory.appendingPathComponent("vocab.txt")
        let vocabulary = try WordPieceVocabulary(contentsOf: vocabURL)
        let tokenizerConfig = modelDirectory.appendingPathComponent("tokenizer_config.json")
        if let config = try BertTokenizer.jsonObject(at: tokenizerConfig), config["do_lower_case"] as? Bool == false {
            throw TokenizerError.unsupported(path: tokenizerConfig.path, reason: "only uncased (do_lower_case) models are supported")
        }
        var maxLength = 512
        if let config = try BertTokenizer.jsonObject(at: modelDirectory.appendingPathComponent("sentence_bert_config.json")),
           let length = config["max_seq_length"] as? Int {
            maxLength = length
        } else if let config = try BertTokenizer.jsonObject(at: modelDirectory.appendingPathComponent("config.json")),
                  let length = config["max_position_embeddings"] as? Int {
            maxLength = length
        }
        guard maxLength >= 3 else {
            throw TokenizerError.malformedConfiguration(path: modelDirectory.path, reason: "maximum sequence length \(maxLength) is below 3")
        }
        try self.init(vocabulary: vocabulary, maxLength: maxLength, source: vocabURL.path)
    }

    private static func jsonObject(at url: URL) throws -> [String: Any]? {
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        do {
            guard let object = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any] else {
                throw TokenizerError.malformedConfiguration(path: url.path, reason: "not a JSON object")
            }
            return object
        } catch let error as TokenizerError {
            throw error
        } catch {
            throw TokenizerError.malformedConfiguration(path: url.path, reason: "invalid JSON (\(error.localizedDescription))")
        }
    }

    /// `[CLS] pieces [SEP]`, truncated to `maxLength` (or the given smaller length).
    public func encode(_ text: String, maxLength: Int? = nil) -> [Int] {
        let limit = min(maxLength ?? self.maxLength, self.maxLength)
        var ids = [clsID]
        ids.reserveCapacity(min(limit, text.utf8.count / 3 + 8))
        var pieces = tokenize(text, maxTokens: max(0, limit - 2), offsets: false).ids
        ids.append(contentsOf: pieces)
        pieces.removeAll()
        ids.append(sepID)
        return ids
    }

    /// The word pieces of `text` (no special tokens, no truncation unless `maxTokens` is given), with the
    /// UTF-8 range in `text` of each piece when `offsets` is true.
    public func tokenize(_ text: String, maxTokens: Int = .max, offsets: Bool = true) -> TokenizedText {
        var output = TokenizedText()
        guard maxTokens > 0 else { return output }
        var text = text
        text.withUTF8 { utf8 in
            var state = PieceWriter(tokenizer: self, limit: maxTokens, offsets: offsets)
            state.run(utf8)
            output = TokenizedText(ids: state.ids, offsets: state.offsets)
        }
        return output
    }

    /// Reader inputs `[CLS] question [SEP] passage [SEP]`. The question keeps at most `maxQuestionTokens`
    /// pieces; the passage fills the rest. With `overlap` nil only the first window is returned; otherwise
    /// windows cover the whole passage, each sharing `overlap` tokens with the previous one.
    public func encodePair(question: String, passage: String, maxLength: Int? = nil,
                           maxQuestionTokens: Int = 64, overlap: Int? = nil) -> [PairEncoding] {
        let limit = min(maxLength ?? self.maxLength, self.maxLength)
        let questionIDs = tokenize(question, maxTokens: max(0, min(maxQuestionTokens, limit - 4)), offsets: false).ids
        let room = limit - questionIDs.count - 3
        let passageTokens = tokenize(passage, maxTokens: overlap == nil ? room : .max, offsets: true)
        let step = max(1, room - max(0, overlap ?? 0))
        var windows: [PairEncoding] = []
        var start = 0
        repeat {
            let end = min(start + room, passageTokens.ids.count)
            var ids = [clsID] + questionIDs + [sepID]
            let firstPassage = ids.count
            ids.append(contentsOf: passageTokens.ids[start..<end])
            ids.append(sepID)
            var typeIds = [Int](repeating: 0, count: firstPassage)
            typeIds.append(contentsOf: repeatElement(1, count: ids.count - firstPassage))
            windows.append(PairEncoding(ids: ids, typeIds: typeIds,
                                        passagePositions: firstPassage..<(firstPassage + end - start),
                                        passageOffsets: Array(passageTokens.offsets[start..<end]), windowStart: start))
            if end >= passageTokens.ids.count || overlap == nil { break }
            start += step
        } while true
        return windows
    }
}

/// The tokenizer's working state over one text: the current word as UTF-8 bytes, where each of its
/// scalars starts in that buffer and in the source, and the pieces emitted so far.
private struct PieceWriter {
    let tokenizer: BertTokenizer
    let limit: Int
    let wantOffsets: Bool
    var ids: [Int] = []
    var offsets: [Range<Int>] = []
    var full = false

    var word: [UInt8] = []
    var scalarStarts: [Int] = []      // byte start of each scalar in `word`
    var sourceStarts: [Int] = []      // UTF-8 start of each scalar's source in the text
    var sourceEnds: [Int] = []
    var pieces: [(id: Int, first: Int, end: Int)] = []   // scalar ranges within the word

    init(tokenizer: BertTokenizer, limit: Int, offsets: Bool) {
        self.tokenizer = tokenizer
        self.limit = limit
        self.wantOffsets = offsets
        word.reserveCapacity(64)
        scalarStarts.reserveCapacity(64)
        sourceStarts.reserveCapacity(64)
        sourceEnds.reserveCapacity(64)
    }

    mutating func run(_ utf8: UnsafeBufferPointer<UInt8>) {
        let table = ScalarNormalizationTable.shared
        let count = utf8.count
        var i = 0
        while i < count && !full {
            if utf8[i] == 0x5B, let (length, id) = specialToken(utf8, at: i) {
                flushWord()
                if !full { emitSpecial(id, i..<(i + length)) }
                i += length
                continue
            }
            let b0 = UInt32(utf8[i])
            let value: UInt32
            let length: Int
            if b0 < 0x80 {
                value = b0; length = 1
            } else if b0 < 0xE0 {
                value = (b0 & 0x1F) << 6 | UInt32(utf8[i + 1] & 0x3F); length = 2
            } else if b0 < 0xF0 {
                value = (b0 & 0x0F) << 12 | UInt32(utf8[i + 1] & 0x3F) << 6 | UInt32(utf8[i + 2] & 0x3F); length = 3
            } else {
                value = (b0 & 0x07) << 18 | UInt32(utf8[i + 1] & 0x3F) << 12 | UInt32(utf8[i + 2] & 0x3F) << 6
                    | UInt32(utf8[i + 3] & 0x3F)
                length = 4
            }
            let source = i..<(i + length)
            i += length
            if value < 0x10000 {
                let entry = table.entries[Int(value)]
                let kind = ScalarNormalization.Kind(rawValue: UInt8(entry >> 30))!
                let n = Int((entry >> 24) & 0x3F), start = Int(entry & 0xFF_FFFF)
                table.outputs.withUnsafeBufferPointer { outputs in
                    consume(kind, UnsafeBufferPointer(rebasing: outputs[start..<(start + n)]), source)
                }
            } else {
                let normalization = ScalarNormalization(Unicode.Scalar(value)!)
                normalization.outputs.withUnsafeBufferPointer { consume(normalization.kind, $0, source) }
            }
        }
        if !full { flushWord() }
    }

    /// The special token written at `utf8[i...]`, if any: its byte length and id.
    private func specialToken(_ utf8: UnsafeBufferPointer<UInt8>, at i: Int) -> (Int, Int)? {
        for special in tokenizer.specialTokens where i + special.bytes.count <= utf8.count {
            if special.bytes.indices.allSatisfy({ utf8[i + $0] == special.bytes[$0] }) { return (special.bytes.count, special.id) }
        }
        return nil
    }

    private mutating func emitSpecial(_ id: Int, _ source: Range<Int>) {
        ids.append(id)
        if wantOffsets { offsets.append(source) }
        if ids.count >= limit { full = true }
    }

    @inline(__always)
    private mutating func consume(_ kind: ScalarNormalization.Kind, _ outputs: UnsafeBufferPointer<UInt32>, _ source: Range<Int>) {
        switch kind {
        case .drop:
            return
        case .space:
            flushWord()
        case .ideograph:
            flushWord()
            for output in outputs { append(output, source) }
            flushWord()
        case .word:
            for output in outputs {
                if output & ScalarNormalization.punctuationBit != 0 {
                    flushWord()
                    append(output & ~ScalarNormalization.punctuationBit, source)
                    flushWord()
                } else {
                    append(output, source)
                }
            }
        }
    }

    /// Appends one normalised scalar to the current word, as UTF-8.
    @inline(__always)
    private mutating func append(_ value: UInt32, _ source: Range<Int>) {
        scalarStarts.append(word.count)
        sourceStarts.append(source.lowerBound)
        sourceEnds.append(source.upperBound)
        if value < 0x80 {
            word.append(UInt8(value))
        } else if value < 0x800 {
            word.append(UInt8(0xC0 | value >> 6)); word.append(UInt8(0x80 | value & 0x3F))
        } else if value < 0x10000 {
            word.append(UInt8(0xE0 | value >> 12)); word.append(UInt8(0x80 | (value >> 6) & 0x3F))
            word.append(UInt8(0x80 | value & 0x3F))
        } else {
            word.append(UInt8(0xF0 | value >> 18)); word.append(UInt8(0x80 | (value >> 12) & 0x3F))
            word.append(UInt8(0x80 | (value >> 6) & 0x3F)); word.append(UInt8(0x80 | value & 0x3F))
        }
    }

    /// Splits the current word into pieces (greedy longest match first) and emits them.
    private mutating func flushWord() {
        let scalarCount = scalarStarts.count
        guard scalarCount > 0 else { return }
        defer {
            word.removeAll(keepingCapacity: true)
            scalarStarts.removeAll(keepingCapacity: true)
            sourceStarts.removeAll(keepingCapacity: true)
            sourceEnds.removeAll(keepingCapacity: true)
        }
        if scalarCount > tokenizer.maxWordScalars || !splitWord(scalarCount) {
            emit(tokenizer.unkID, 0, scalarCount)
            return
        }
        for piece in pieces where !full { emit(piece.id, piece.first, piece.end) }
    }

    /// Fills `pieces`; false when some part of the word matches no piece (the whole word is then `[UNK]`).
    private mutating func splitWord(_ scalarCount: Int) -> Bool {
        pieces.removeAll(keepingCapacity: true)
        let vocabulary = tokenizer.vocabulary
        let longest = vocabulary.longestPieceBytes
        let byteCount = word.count
        return word.withUnsafeBufferPointer { bytes in
            var start = 0
            while start < scalarCount {
                let startByte = scalarStarts[start]
                var end = scalarCount
                var found: Int? = nil
                while end > start {
                    let endByte = end == scalarCount ? byteCount : scalarStarts[end]
                    if endByte - startByte <= longest,
                       let id = vocabulary.find(bytes.baseAddress! + startByte, endByte - startByte, continuing: start > 0) {
                        found = id
                        break
                    }
                    end -= 1
                }
                guard let id = found else { return false }
                pieces.append((id, start, end))
                start = end
            }
            return true
        }
    }

    @inline(__always)
    private mutating func emit(_ id: Int, _ first: Int, _ end: Int) {
        ids.append(id)
        if wantOffsets { offsets.append(sourceStarts[first]..<sourceEnds[end - 1]) }
        if ids.count >= limit { full = true }
    }
}
