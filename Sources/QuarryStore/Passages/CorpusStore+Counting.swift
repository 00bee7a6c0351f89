import GRDB

extension CorpusStore {
    /// Number of passages whose id is at most `id`: with the passage count and the last id a cache covers,
    /// it tells whether passages were removed or replaced below that id since the cache was made.
    public func passageCount(throughID id: Int64) throws -> Int {
        try pool.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM passages WHERE id <= ?", arguments: [id]) ?? 0 }
    }
}
