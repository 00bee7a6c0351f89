import QuarryRetrieval

extension RetrievedPassage {
    /// The passage as the reader reads it (its score stays with the retriever).
    public var readerPassage: ReaderPassage { ReaderPassage(passageID: passageID, title: title, text: text) }
}
