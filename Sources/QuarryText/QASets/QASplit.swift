/// A deterministic split of a QA set into train and test, by article when the set has enough articles and by
/// paragraph otherwise (never by question when paragraphs are known), so no paragraph serves both sides.
///
/// A unit (an article, a paragraph) goes to `test` when the 64-bit FNV-1a hash of its key (the article name, the
/// paragraph text), modulo 1000, is below `testShare · 1000`. The same file and share always give the same split,
/// on any machine. Which unit a set is split by is `QASplitPlan`'s rule.
public enum QASplit: String, CaseIterable, Sendable {
    case train, test

    public static let defaultTestShare = 0.2

    /// The side `example` falls on in an article split (questions without an article go by their id).
    public static func side(of example: QAExample, testShare: Double = defaultTestShare) -> QASplit {
        side(of: example, unit: .article, testShare: testShare)
    }

    /// The side `example` falls on when the set is split by `unit`.
    public static func side(of example: QAExample, unit: QASplitUnit, testShare: Double = defaultTestShare) -> QASplit {
        side(ofKey: unit.key(of: example), testShare: testShare)
    }

    static func side(ofKey key: String, testShare: Double) -> QASplit {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in key.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        return Double(hash % 1000) < testShare * 1000 ? .test : .train
    }

    /// The examples on this side, split by the unit `QASplitPlan` chooses for `examples` as a whole.
    public func select(_ examples: [QAExample], testShare: Double = defaultTestShare) -> [QAExample] {
        QASplitPlan(examples, testShare: testShare).select(self, from: examples)
    }
}

/// What a QA set is split by.
public enum QASplitUnit: String, Sendable {
    /// The article (SQuAD title, `document_id`, or a JSON line's `title`); questions without one go by their id.
    case article
    /// The paragraph a question was asked about (SQuAD `context`); questions without one go by their id.
    case paragraph
    /// The question's id: for sets that name neither articles nor paragraphs.
    case question

    /// The text whose hash decides the side.
    func key(of example: QAExample) -> String {
        switch self {
        case .article: return example.article ?? example.title ?? example.id
        case .paragraph: return example.context ?? example.id
        case .question: return example.id
        }
    }
}

/// The split of one QA set: which unit it is split by, and why.
///
/// The rule: split by article when the set names at least `minimumArticles` articles and the article split puts
/// questions on both sides (for a test share strictly between 0 and 1). Otherwise split by paragraph when the
/// questions give their paragraph (SQuAD), else by question. A single-article set (SQuADShifts Reddit: one
/// "article" of 2,035 comment paragraphs) would otherwise land whole on one side. The unit is decided from the
/// whole file, before `--limit`, so both sides of one file always agree on it.
public struct QASplitPlan: Sendable {
    /// Fewer articles than this are too few to split by: a 20 % test side of 9 articles is 0–4 articles.
    public static let minimumArticles = 10

    public let unit: QASplitUnit
    public let testShare: Double
    /// Distinct articles the set names.
    public let articles: Int
    /// Why the unit is not `article`, for the log line ("the set has 1 article").
    public let reason: String?

    public init(_ examples: [QAExample], testShare: Double = QASplit.defaultTestShare) {
        self.testShare = testShare
        let names = Set(examples.compactMap { $0.article ?? $0.title })
        articles = names.count
        var reason: String?
        if names.isEmpty {
            reason = "the set names no articles"
        } else if names.count < Self.minimumArticles {
            reason = "the set has \(names.count) article\(names.count == 1 ? "" : "s")"
        } else if testShare > 0 && testShare < 1 {
            let sides = Set(names.map { QASplit.side(ofKey: $0, testShare: testShare) })
            if sides.count < 2 { reason = "the article split puts all \(names.count) articles on the \(sides.first!.rawValue) side" }
        }
        self.reason = reason
        if reason == nil {
            unit = .article
        } else {
            unit = examples.contains { $0.context != nil } ? .paragraph : .question
        }
    }

    public func side(of example: QAExample) -> QASplit {
        QASplit.side(of: example, unit: unit, testShare: testShare)
    }

    public func select(_ side: QASplit, from examples: [QAExample]) -> [QAExample] {
        examples.filter { self.side(of: $0) == side }
    }

    /// The line commands log: `split by article: 48 articles, 8 on the test side (1,279 of 10,570 questions)` or
    /// `split by paragraph (the set has 1 article): 2,035 paragraphs, 412 on the test side (…)`.
    public func summary(of examples: [QAExample]) -> String {
        var units = Set<String>(), testUnits = Set<String>(), testQuestions = 0
        for example in examples {
            let key = unit.key(of: example)
            units.insert(key)
            if QASplit.side(ofKey: key, testShare: testShare) == .test {
                testUnits.insert(key)
                testQuestions += 1
            }
        }
        let noun = unit == .question ? "question" : unit.rawValue
        let head = "split by \(noun)" + (reason.map { " (\($0))" } ?? "")
        let plural = units.count == 1 ? noun : noun + "s"
        return head + ": \(units.count) \(plural), \(testUnits.count) on the test side "
            + "(\(testQuestions) of \(examples.count) questions, test share \(testShare))"
    }
}
