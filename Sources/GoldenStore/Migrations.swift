import GRDB

/// The golden database schema (Docs/GoldenDatabase.md, format_version 1), as migrations.
///
/// The tables are created with the exact SQL of the design so that a porter's tool sees the
/// documented contract. Later versions may only add columns or tables (new migrations appended
/// here), never remove or rename.
enum GoldenMigrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: meta, cases, tensors") { db in
            try db.execute(sql: """
                CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
                CREATE TABLE cases (
                  id           INTEGER PRIMARY KEY,
                  name         TEXT NOT NULL UNIQUE,
                  loss         TEXT NOT NULL,
                  options      TEXT NOT NULL,
                  family       TEXT NOT NULL,
                  seed         INTEGER,
                  expect_error TEXT,
                  note         TEXT
                );
                CREATE TABLE tensors (
                  case_id INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
                  role    TEXT NOT NULL,
                  io      TEXT NOT NULL CHECK (io IN ('in','out')),
                  dtype   TEXT NOT NULL CHECK (dtype IN ('float64','int64')),
                  shape   TEXT NOT NULL,
                  data    BLOB NOT NULL,
                  scale   BLOB,
                  PRIMARY KEY (case_id, role)
                );
                """)
        }
        // Additive, format_version stays 1: the documented deviation from PyTorch a case encodes.
        migrator.registerMigration("v1: cases.deviation") { db in
            try db.execute(sql: "ALTER TABLE cases ADD COLUMN deviation TEXT")
        }
        return migrator
    }
}
