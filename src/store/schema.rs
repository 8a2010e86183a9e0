//! Numbered migrations. `PRAGMA user_version` holds the number of the last one applied; a DB
//! whose number is above [`LATEST`] was written by a newer temper and is refused untouched.
//!
//! Append new migrations; never edit one that has shipped.

/// Each entry moves the schema from version `i` to `i + 1`.
pub const MIGRATIONS: &[&str] = &[
    // 1: prompts, versions, labels, runs, cells, samples.
    r#"
    CREATE TABLE prompts (
        id          INTEGER PRIMARY KEY,
        name        TEXT NOT NULL UNIQUE,
        created_at  TEXT NOT NULL
    );
    CREATE TABLE prompt_versions (
        id          INTEGER PRIMARY KEY,
        prompt_id   INTEGER NOT NULL REFERENCES prompts(id),
        number      INTEGER NOT NULL,
        hash        TEXT NOT NULL,
        parent_id   INTEGER REFERENCES prompt_versions(id),
        body_json   TEXT NOT NULL,
        message     TEXT NOT NULL DEFAULT '',
        created_at  TEXT NOT NULL,
        UNIQUE(prompt_id, number)
    );
    -- Not unique: a rollback saves old content again as a new version.
    CREATE INDEX prompt_versions_by_hash ON prompt_versions(prompt_id, hash);
    CREATE TABLE labels (
        prompt_id   INTEGER NOT NULL REFERENCES prompts(id),
        label       TEXT NOT NULL,
        version_id  INTEGER NOT NULL REFERENCES prompt_versions(id),
        updated_at  TEXT NOT NULL,
        PRIMARY KEY(prompt_id, label)
    );
    CREATE TABLE label_events (
        id              INTEGER PRIMARY KEY,
        prompt_id       INTEGER NOT NULL REFERENCES prompts(id),
        label           TEXT NOT NULL,
        from_version_id INTEGER REFERENCES prompt_versions(id),
        to_version_id   INTEGER NOT NULL REFERENCES prompt_versions(id),
        at              TEXT NOT NULL
    );
    CREATE INDEX label_events_by_prompt ON label_events(prompt_id, id);

    -- One invocation of the runner (CLI, session or TUI): a matrix of cells.
    CREATE TABLE runs (
        id          INTEGER PRIMARY KEY,
        source      TEXT NOT NULL,
        session     TEXT,
        status      TEXT NOT NULL,
        pid         INTEGER,
        started_at  TEXT NOT NULL,
        finished_at TEXT
    );
    -- One (prompt version, variant, case) of a run, sampled n times.
    CREATE TABLE cells (
        id                 INTEGER PRIMARY KEY,
        run_id             INTEGER NOT NULL REFERENCES runs(id),
        prompt_version_id  INTEGER NOT NULL REFERENCES prompt_versions(id),
        variant_name       TEXT NOT NULL,
        variant_json       TEXT NOT NULL,
        case_name          TEXT NOT NULL,
        case_json          TEXT NOT NULL,
        n                  INTEGER NOT NULL
    );
    CREATE INDEX cells_by_run ON cells(run_id);
    CREATE INDEX cells_by_version ON cells(prompt_version_id);
    CREATE TABLE samples (
        id                 INTEGER PRIMARY KEY,
        cell_id            INTEGER NOT NULL REFERENCES cells(id),
        idx                INTEGER NOT NULL,
        status             TEXT NOT NULL,
        output             TEXT,
        tool_calls_json    TEXT,
        finish_reason      TEXT,
        input_tokens       INTEGER,
        output_tokens      INTEGER,
        cached_tokens      INTEGER,
        usage_source       TEXT,
        latency_ms         REAL,
        cost_usd           REAL,
        system_fingerprint TEXT,
        error              TEXT,
        attempts           INTEGER NOT NULL DEFAULT 1,
        request_hash       TEXT,
        response_json      TEXT,
        logprobs           BLOB,
        created_at         TEXT NOT NULL,
        UNIQUE(cell_id, idx)
    );
    "#,
    // 2: the serving region a provider reported per sample (explain: backend split).
    r#"
    ALTER TABLE samples ADD COLUMN region TEXT;
    "#,
    // 3: the request as sent: per cell the effective params and the exact body (no headers,
    // no keys); per sample the time to first token of a streamed answer.
    r#"
    ALTER TABLE samples ADD COLUMN ttft_ms REAL;
    CREATE TABLE cell_requests (
        cell_id      INTEGER PRIMARY KEY REFERENCES cells(id),
        params_sent  TEXT NOT NULL,
        request_json TEXT NOT NULL
    );
    "#,
    // 4: the read-only view production code reads the registry through (docs/postgres.md):
    // one row per label with the version it points at and that version's body.
    r#"
    CREATE VIEW prompt_labels_current AS
    SELECT p.name AS prompt, l.label AS label, v.number AS version, v.hash AS hash,
           v.body_json AS body_json, l.updated_at AS updated_at
    FROM labels l
    JOIN prompts p ON p.id = l.prompt_id
    JOIN prompt_versions v ON v.id = l.version_id;
    "#,
    // 5: history at scale (docs/architecture.md, "History at scale"): a hash of each answered
    // sample's output (text and tool calls without ids), indexed with its cell, so clusters and
    // distinct outputs are a GROUP BY. Older rows are hashed by `output_hash::backfill` right
    // after this step. (No index per measured column: each one made inserts several times
    // slower at 1M samples per cell; percentiles stream the column instead.)
    r#"
    ALTER TABLE samples ADD COLUMN output_hash INTEGER;
    CREATE INDEX samples_by_output_hash ON samples(cell_id, output_hash, idx)
        WHERE output_hash IS NOT NULL;
    "#,
    // 6: PostgreSQL only (schema_pg.rs, migration 6 checks samples.cell_id per statement
    // instead of per row). SQLite keeps its row-level foreign key, whose check costs an index
    // probe in-process; the step exists so both backends keep one numbering.
    r#"
    SELECT 1;
    "#,
    // 7: a label's removal is part of its history: `to_version_id` is NULL for a removal.
    // SQLite cannot drop a NOT NULL in place, so the table is rebuilt with its rows and index.
    r#"
    CREATE TABLE label_events_new (
        id              INTEGER PRIMARY KEY,
        prompt_id       INTEGER NOT NULL REFERENCES prompts(id),
        label           TEXT NOT NULL,
        from_version_id INTEGER REFERENCES prompt_versions(id),
        to_version_id   INTEGER REFERENCES prompt_versions(id),
        at              TEXT NOT NULL
    );
    INSERT INTO label_events_new(id, prompt_id, label, from_version_id, to_version_id, at)
        SELECT id, prompt_id, label, from_version_id, to_version_id, at FROM label_events;
    DROP TABLE label_events;
    ALTER TABLE label_events_new RENAME TO label_events;
    CREATE INDEX label_events_by_prompt ON label_events(prompt_id, id);
    "#,
    // 8: samples are keyed by (cell_id, idx) and their `id` is read no more (schema_pg.rs,
    // migration 8 makes `(cell_id, idx)` the primary key and drops the identity `id`). On SQLite
    // `id INTEGER PRIMARY KEY` is the rowid: the table itself, with no index and no sequence of
    // its own, and `UNIQUE(cell_id, idx)` is already the one index a key would be; rebuilding
    // the table would rewrite every sample for nothing. The step keeps one numbering.
    r#"
    SELECT 1;
    "#,
];

/// The migration (1-based) that adds `samples.output_hash`; rows stored before it are hashed
/// in Rust right after it runs, in the same transaction.
pub const OUTPUT_HASH_MIGRATION: i64 = 5;

/// The schema version this build writes.
pub const LATEST: i64 = MIGRATIONS.len() as i64;
