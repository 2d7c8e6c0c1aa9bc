import Foundation
import GRDB

/// The history database schema (format `lossbench-history`, format_version 1), as migrations.
///
/// One row in `runs` per `lossbench bench` invocation, one row in `measurements` per timed
/// (loss, impl, pass, shape), one row in `samples` per timed call with the calibration kernel's
/// time taken right before it. The views answer the usual questions in plain SQL; they are part
/// of the contract (Reports/README.md documents them). Later versions only append migrations.
enum HistoryMigrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: meta, runs, measurements, samples, views") { db in
            try db.execute(sql: """
                CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
                CREATE TABLE runs (
                  id            INTEGER PRIMARY KEY,
                  started_at    TEXT NOT NULL,      -- ISO 8601 UTC, e.g. '2025-01-31T12:00:00Z'
                  machine_key   TEXT NOT NULL,      -- 'cpu_model | N cores | M GiB | os | arch': runs compare only within one key
                  cpu_model     TEXT NOT NULL,
                  cores         INTEGER NOT NULL,
                  memory_gib    INTEGER NOT NULL,
                  os            TEXT NOT NULL,
                  arch          TEXT NOT NULL,
                  swift_version TEXT NOT NULL,      -- variant fields: may differ between comparable runs
                  build_config  TEXT NOT NULL CHECK (build_config IN ('debug','release')),
                  threads       INTEGER NOT NULL,
                  git_commit    TEXT,               -- NULL outside a git checkout
                  git_dirty     INTEGER,            -- 1 when the work tree had uncommitted changes
                  label         TEXT,
                  command       TEXT
                );
                CREATE INDEX runs_by_machine ON runs(machine_key, id);
                CREATE TABLE measurements (
                  id                    INTEGER PRIMARY KEY,
                  run_id                INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                  suite                 TEXT NOT NULL,   -- 'standard' | 'grid' | 'bandwidth'
                  loss                  TEXT NOT NULL,   -- torch.nn.functional name, or 'float32_sum' for the baseline
                  impl                  TEXT NOT NULL,   -- 'fast' | 'reference' | 'baseline'
                  pass                  TEXT NOT NULL CHECK (pass IN ('forward','backward')),
                  shape                 TEXT NOT NULL,   -- e.g. '[4096, 1000]'
                  elements              INTEGER NOT NULL,
                  threads               INTEGER NOT NULL,
                  sample_count          INTEGER NOT NULL,
                  median_ns             REAL NOT NULL,
                  min_ns                REAL NOT NULL,
                  p25_ns                REAL NOT NULL,
                  p75_ns                REAL NOT NULL,
                  calibration_median_ns REAL NOT NULL,
                  normalized_median     REAL NOT NULL    -- median_ns / calibration_median_ns
                );
                CREATE INDEX measurements_by_run ON measurements(run_id);
                CREATE INDEX measurements_by_benchmark ON measurements(loss, impl, pass, shape);
                CREATE TABLE samples (
                  measurement_id INTEGER NOT NULL REFERENCES measurements(id) ON DELETE CASCADE,
                  seq            INTEGER NOT NULL,       -- 0, 1, … in the order taken
                  ns             REAL NOT NULL,          -- the timed call
                  calibration_ns REAL NOT NULL,          -- the calibration kernel, timed right before it
                  PRIMARY KEY (measurement_id, seq)
                ) WITHOUT ROWID;

                \(Views.v1)
                """)
        }
        migrator.registerMigration("v2: runs.uuid, measurement_runs.run_uuid") { db in
            // A run's identity that survives copying between files: `history merge` recognises a
            // run it already holds by it. Runs recorded before this column get the identity
            // `RunIdentity.legacy` derives from their content, so two copies of one old file
            // agree on it too. format_version stays 1: the change is additive.
            try db.execute(sql: "ALTER TABLE runs ADD COLUMN uuid TEXT")
            for run in try RunRecord.fetchAll(db) {
                let medians = try Double.fetchAll(db, sql: "SELECT median_ns FROM measurements WHERE run_id = ? ORDER BY id",
                                                  arguments: [run.id])
                try db.execute(sql: "UPDATE runs SET uuid = ? WHERE id = ?", arguments: [RunIdentity.legacy(run, medians: medians), run.id])
            }
            try db.execute(sql: """
                CREATE UNIQUE INDEX runs_by_uuid ON runs(uuid);
                DROP VIEW measurement_runs;
                \(Views.measurementRunsV2)
                """)
        }
        migrator.registerMigration("v3: runs.isa, measurement_runs.isa") { db in
            // Which build of Fast's kernels a run measured, now that one binary holds several
            // (AVX-512, AVX2, portable) and chooses at run time. Earlier runs keep NULL: they
            // were AVX2 or portable builds, and nothing recorded which. Additive: format_version 1.
            try db.execute(sql: """
                ALTER TABLE runs ADD COLUMN isa TEXT;
                DROP VIEW measurement_runs;
                \(Views.measurementRunsV3)
                """)
        }
        return migrator
    }

    /// The same schema on PostgreSQL, migration for migration (the identifiers are SQLite's), for
    /// `--history postgres://…`. Column names, types' meanings and views are the SQLite ones, so
    /// the same SQL answers the same questions; the differences are PostgreSQL's spelling:
    /// `BIGSERIAL` keys, `DOUBLE PRECISION` for REAL, every grouped column named in GROUP BY.
    /// Applied ones are listed in `lossbench_migrations`; `PostgresHistory.migrate` applies the
    /// rest under an advisory lock, so concurrent first writers cannot interleave.
    static let postgres: [(identifier: String, sql: String)] = [
        ("v1: meta, runs, measurements, samples, views", """
            CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
            CREATE TABLE runs (
              id            BIGSERIAL PRIMARY KEY,
              started_at    TEXT NOT NULL,
              machine_key   TEXT NOT NULL,
              cpu_model     TEXT NOT NULL,
              cores         INTEGER NOT NULL,
              memory_gib    INTEGER NOT NULL,
              os            TEXT NOT NULL,
              arch          TEXT NOT NULL,
              swift_version TEXT NOT NULL,
              build_config  TEXT NOT NULL CHECK (build_config IN ('debug','release')),
              threads       INTEGER NOT NULL,
              git_commit    TEXT,
              git_dirty     INTEGER,
              label         TEXT,
              command       TEXT
            );
            CREATE INDEX runs_by_machine ON runs(machine_key, id);
            CREATE TABLE measurements (
              id                    BIGSERIAL PRIMARY KEY,
              run_id                BIGINT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
              suite                 TEXT NOT NULL,
              loss                  TEXT NOT NULL,
              impl                  TEXT NOT NULL,
              pass                  TEXT NOT NULL CHECK (pass IN ('forward','backward')),
              shape                 TEXT NOT NULL,
              elements              BIGINT NOT NULL,
              threads               INTEGER NOT NULL,
              sample_count          INTEGER NOT NULL,
              median_ns             DOUBLE PRECISION NOT NULL,
              min_ns                DOUBLE PRECISION NOT NULL,
              p25_ns                DOUBLE PRECISION NOT NULL,
              p75_ns                DOUBLE PRECISION NOT NULL,
              calibration_median_ns DOUBLE PRECISION NOT NULL,
              normalized_median     DOUBLE PRECISION NOT NULL
            );
            CREATE INDEX measurements_by_run ON measurements(run_id);
            CREATE INDEX measurements_by_benchmark ON measurements(loss, impl, pass, shape);
            CREATE TABLE samples (
              measurement_id BIGINT NOT NULL REFERENCES measurements(id) ON DELETE CASCADE,
              seq            INTEGER NOT NULL,
              ns             DOUBLE PRECISION NOT NULL,
              calibration_ns DOUBLE PRECISION NOT NULL,
              PRIMARY KEY (measurement_id, seq)
            );
            \(Views.v1)
            """),
        ("v2: runs.uuid, measurement_runs.run_uuid", """
            ALTER TABLE runs ADD COLUMN uuid TEXT;
            CREATE UNIQUE INDEX runs_by_uuid ON runs(uuid);
            \(Views.measurementRunsV2.replacingOccurrences(of: "CREATE VIEW", with: "CREATE OR REPLACE VIEW"))
            """),
        ("v3: runs.isa, measurement_runs.isa", """
            ALTER TABLE runs ADD COLUMN isa TEXT;
            \(Views.measurementRunsV3.replacingOccurrences(of: "CREATE VIEW", with: "CREATE OR REPLACE VIEW"))
            """),
    ]

    /// The views, in SQL that SQLite and PostgreSQL read alike (every grouped column is named in
    /// GROUP BY, as PostgreSQL requires; in SQLite the extra columns change nothing, they are
    /// functions of the machine key).
    enum Views {
        /// The views of v1: the joined measurements and the usual questions.
        static let v1 = measurementRunsV1 + "\n" + questionsV1

        /// v1's `measurement_runs`: every measurement with its run's fields, the base of the other views.
        static let measurementRunsV1 = """
            CREATE VIEW measurement_runs AS
              SELECT m.id AS measurement_id, r.id AS run_id, r.started_at, r.machine_key, r.git_commit,
                     r.git_dirty, r.label, r.build_config, r.swift_version,
                     m.suite, m.loss, m.impl, m.pass, m.shape, m.elements, m.threads, m.sample_count,
                     m.median_ns, m.min_ns, m.p25_ns, m.p75_ns, m.calibration_median_ns, m.normalized_median
              FROM measurements m JOIN runs r ON r.id = m.run_id;
            """

        /// v1's views over `measurement_runs` and `runs`.
        static let questionsV1 = """
            -- The latest result per benchmark (machine, suite, loss, impl, pass, shape).
            CREATE VIEW latest_results AS
              SELECT * FROM measurement_runs mr
              WHERE mr.run_id = (SELECT max(m2.run_id) FROM measurement_runs m2
                                 WHERE m2.machine_key = mr.machine_key AND m2.suite = mr.suite
                                   AND m2.loss = mr.loss AND m2.impl = mr.impl
                                   AND m2.pass = mr.pass AND m2.shape = mr.shape);

            -- The standard-suite time of each loss/impl/pass over time, oldest first per benchmark.
            CREATE VIEW trend AS
              SELECT machine_key, loss, impl, pass, shape, run_id, started_at, git_commit, git_dirty, label,
                     median_ns / 1e6 AS median_ms, normalized_median, sample_count
              FROM measurement_runs WHERE suite = 'standard'
              ORDER BY machine_key, loss, impl, pass, run_id;

            -- Fast over Reference, per run and benchmark (reference median / fast median).
            CREATE VIEW speedups AS
              SELECT f.run_id, f.started_at, f.machine_key, f.git_commit, f.suite, f.loss, f.pass, f.shape,
                     f.median_ns / 1e6 AS fast_ms, r.median_ns / 1e6 AS reference_ms,
                     r.median_ns / f.median_ns AS speedup
              FROM measurement_runs f JOIN measurement_runs r
                ON r.run_id = f.run_id AND r.suite = f.suite AND r.loss = f.loss
               AND r.pass = f.pass AND r.shape = f.shape
              WHERE f.impl = 'fast' AND r.impl = 'reference';

            -- Runs per machine key.
            CREATE VIEW machine_runs AS
              SELECT machine_key, cpu_model, cores, memory_gib, os, arch, count(*) AS runs,
                     min(started_at) AS first_run, max(started_at) AS last_run,
                     (SELECT count(*) FROM measurements m JOIN runs r2 ON r2.id = m.run_id
                       WHERE r2.machine_key = runs.machine_key) AS measurements
              FROM runs GROUP BY machine_key, cpu_model, cores, memory_gib, os, arch;

            -- Raw samples with their benchmark, and each sample over its calibration time.
            CREATE VIEW sample_values AS
              SELECT mr.run_id, mr.machine_key, mr.suite, mr.loss, mr.impl, mr.pass, mr.shape,
                     s.measurement_id, s.seq, s.ns, s.calibration_ns, s.ns / s.calibration_ns AS ratio
              FROM samples s JOIN measurement_runs mr ON mr.measurement_id = s.measurement_id;
            """

        /// v2: `measurement_runs` with each run's uuid (`run_uuid`), replacing v1's.
        static let measurementRunsV2 = """
            CREATE VIEW measurement_runs AS
              SELECT m.id AS measurement_id, r.id AS run_id, r.started_at, r.machine_key, r.git_commit,
                     r.git_dirty, r.label, r.build_config, r.swift_version,
                     m.suite, m.loss, m.impl, m.pass, m.shape, m.elements, m.threads, m.sample_count,
                     m.median_ns, m.min_ns, m.p25_ns, m.p75_ns, m.calibration_median_ns, m.normalized_median,
                     r.uuid AS run_uuid
              FROM measurements m JOIN runs r ON r.id = m.run_id;
            """

        /// v3's `measurement_runs`: v2's with the run's instruction set (`isa`) last.
        static let measurementRunsV3 = """
            CREATE VIEW measurement_runs AS
              SELECT m.id AS measurement_id, r.id AS run_id, r.started_at, r.machine_key, r.git_commit,
                     r.git_dirty, r.label, r.build_config, r.swift_version,
                     m.suite, m.loss, m.impl, m.pass, m.shape, m.elements, m.threads, m.sample_count,
                     m.median_ns, m.min_ns, m.p25_ns, m.p75_ns, m.calibration_median_ns, m.normalized_median,
                     r.uuid AS run_uuid, r.isa
              FROM measurements m JOIN runs r ON r.id = m.run_id;
            """
    }
}
