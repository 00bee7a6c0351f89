import Foundation
import QuarryStore
import QuarryText

extension ReaderLibrary {
    /// What `quarry check` finds about each trained reader: its folder loads as `ask` would load it.
    public func findings() throws -> [HealthFinding] {
        let prompts = try Prompts.load()
        return try store.readers.all().map { record in
            do {
                _ = try ExtractiveReader(folder: URL(fileURLWithPath: record.path), prompts: prompts)
                return HealthFinding(part: "reader \(record.name)", verdict: .ok, detail: "loads (\(record.supervision), \(record.steps) steps)")
            } catch {
                return HealthFinding(part: "reader \(record.name)", verdict: .damaged, detail: "\(error)",
                                     repair: "quarry train reader … --name \(record.name) (train it again)")
            }
        }
    }
}
