import Foundation
import GRDB

/// One row of `meta`: format, format_version, generator_version, seed, semantics, content_sha256.
struct MetaRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "meta"
    var key: String
    var value: String
}

/// One row of `cases`.
struct CaseRecord: Codable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "cases"
    var id: Int64?
    var name: String
    var loss: String
    var options: String
    var family: String
    var seed: Int64?
    var expectError: String?
    var note: String?
    /// Absent in databases written before the column existed.
    var deviation: String?

    enum CodingKeys: String, CodingKey {
        case id, name, loss, options, family, seed, note, deviation
        case expectError = "expect_error"
    }

    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// One row of `tensors`: an input or expected output of a case, 8 bytes per element, little-endian.
struct TensorRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "tensors"
    enum CodingKeys: String, CodingKey {
        case caseID = "case_id"
        case role, io, dtype, shape, data, scale
    }
    var caseID: Int64
    var role: String
    var io: String
    var dtype: String
    var shape: String
    var data: Data
    var scale: Data?
}
