/// A deterministic split of a QA set by article (never by question), so no paragraph serves both sides.
///
/// An article goes to `test` when the 64-bit FNV-1a hash of its name, modulo 1000, is below
/// `testShare · 1000`; questions without an article are split by their id instead. The same file and share
/// always give the same split, on any machine.
public enum QASplit: String, CaseIterable, Sendable {
    case train, test

    public static let defaultTestShare = 0.2

    /// The side `example` falls on.
    public static func side(of example: QAExample, testShare: Double = defaultTestShare) -> QASplit {
        let key = example.article ?? example.title ?? example.id
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in key.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        return Double(hash % 1000) < testShare * 1000 ? .test : .train
    }

    /// The examples on this side.
    public func select(_ examples: [QAExample], testShare: Double = defaultTestShare) -> [QAExample] {
        examples.filter { QASplit.side(of: $0, testShare: testShare) == self }
    }
}
