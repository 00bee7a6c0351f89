/// A reader that, with `keepGoing`, remembers the bad records it passed over so the summary can list them.
public protocol ProblemReporting: AnyObject {
    /// The skipped bad records, located ("corpus.jsonl: line 12: …").
    var problems: [IngestError] { get }
}
