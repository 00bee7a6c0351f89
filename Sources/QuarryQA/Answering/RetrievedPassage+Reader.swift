import QuarryRetrieval

extension RetrievedPassage {
    /// The passage as the reader reads it, with the retriever's score.
    public var readerPassage: ReaderPassage { ReaderPassage(passageID: passageID, title: title, text: text, retrievalScore: score) }
}
