//! The schema and its migrations: `PRAGMA user_version` is the number of migrations applied.
//! A migration is appended, never edited, once released.

use rusqlite::Connection;

/// Each step brings the schema from version `index` to `index + 1`.
const MIGRATIONS: &[&str] = &[
    // 1: runs and their builds.
    "CREATE TABLE runs (
        id          TEXT PRIMARY KEY,
        status      TEXT NOT NULL,
        command     TEXT NOT NULL,          -- JSON array, program name first
        cwd         TEXT NOT NULL,
        pid         INTEGER NOT NULL,
        pid_start   TEXT,                   -- /proc/PID/stat start time, when known
        started_ms  INTEGER NOT NULL,
        ended_ms    INTEGER,
        exit_code   INTEGER
    );
    CREATE INDEX runs_by_start ON runs (started_ms DESC, id DESC);
    CREATE INDEX runs_running ON runs (status) WHERE status = 'running';
    CREATE TABLE targets (
        run_id      TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        position    INTEGER NOT NULL,
        name        TEXT NOT NULL,
        project     TEXT NOT NULL,
        builder     TEXT NOT NULL,
        requested   INTEGER NOT NULL,
        status      TEXT NOT NULL,
        started_ms  INTEGER,
        ended_ms    INTEGER,
        digest      TEXT,
        image_refs  TEXT NOT NULL DEFAULT '[]',   -- JSON array
        saved_refs  TEXT NOT NULL DEFAULT '[]',   -- JSON array
        error       TEXT,
        PRIMARY KEY (run_id, position)
    );
    CREATE INDEX targets_by_project ON targets (project, run_id);",
];

/// The schema version this crate writes.
pub(crate) const VERSION: i64 = MIGRATIONS.len() as i64;

pub(crate) enum MigrateError {
    Newer(i64),
    Sql(rusqlite::Error),
}

impl From<rusqlite::Error> for MigrateError {
    fn from(e: rusqlite::Error) -> Self {
        MigrateError::Sql(e)
    }
}

/// Applies the migrations the database lacks, in one immediate transaction (a second process
/// migrating at the same time waits, then finds nothing left to do).
pub(crate) fn migrate(conn: &mut Connection) -> Result<(), MigrateError> {
    migrate_to(conn, MIGRATIONS)
}

pub(crate) fn migrate_to(conn: &mut Connection, steps: &[&str]) -> Result<(), MigrateError> {
    let current: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    let known = steps.len() as i64;
    if current > known {
        return Err(MigrateError::Newer(current));
    }
    if current == known {
        return Ok(());
    }
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let current: i64 = tx.pragma_query_value(None, "user_version", |r| r.get(0))?;
    for (v, step) in steps
        .iter()
        .enumerate()
        .skip(usize::try_from(current).unwrap_or(0))
    {
        tx.execute_batch(step)?;
        tx.pragma_update(None, "user_version", v as i64 + 1)?;
    }
    tx.commit()?;
    Ok(())
}

#[cfg(test)]
pub(crate) const ALL: &[&str] = MIGRATIONS;
