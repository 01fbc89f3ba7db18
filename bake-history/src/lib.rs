//! bake-history: the local history of builds that `bake` and `bakery` keep, in `SQLite`.
//!
//! Every run that builds gets a [`BuildId`] and one row in `runs`, with one row per build
//! (target) in `targets`: project, builder, status, times, digest, image and saved refs, the
//! exit code and the command line. The database lives under the user's state directory
//! ([`default_path`]); the host passes the path, the environment and the clock in: this crate
//! never reads the process environment or the clock and never prints.
//!
//! Several runs may write at once (WAL, a busy timeout, migrations in an immediate
//! transaction). A run records its process (pid and the kernel's start time of that pid), so a
//! run whose process is gone while its row still says `running` (killed with SIGKILL, a power
//! cut) is marked `interrupted` the next time the history is listed.

#![deny(missing_docs)]

mod id;
mod process;
mod schema;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{params, Connection, OptionalExtension};

pub use id::BuildId;
pub use process::{is_alive, Owner};

/// How long a writer waits for another process holding the database's lock.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// The history file for the environment `env`: `BAKE_HISTORY` when set (non-empty), else
/// `$XDG_STATE_HOME/bake/history.db`, else `~/.local/state/bake/history.db`; `None` when
/// there is neither a variable nor a home directory.
#[must_use]
pub fn default_path(env: &BTreeMap<String, String>) -> Option<PathBuf> {
    let set = |k: &str| env.get(k).filter(|v| !v.is_empty());
    if let Some(p) = set("BAKE_HISTORY") {
        return Some(PathBuf::from(p));
    }
    let state = set("XDG_STATE_HOME")
        .map(PathBuf::from)
        .or_else(|| set("HOME").map(|h| Path::new(h).join(".local").join("state")))?;
    Some(state.join("bake").join("history.db"))
}

/// The state of a run or of one of its builds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Status {
    /// Waiting to start (builds only).
    Queued,
    /// Running now.
    Running,
    /// Ended well.
    Done,
    /// Ended with an error.
    Failed,
    /// Never ran: a build it uses failed (builds only).
    Skipped,
    /// Stopped on request (Ctrl-C, SIGTERM, `--fail-fast`).
    Cancelled,
    /// Its process ended without recording the end (killed with SIGKILL, a crash).
    Interrupted,
}

impl Status {
    /// The word stored and shown.
    #[must_use]
    pub fn word(self) -> &'static str {
        match self {
            Status::Queued => "queued",
            Status::Running => "running",
            Status::Done => "done",
            Status::Failed => "failed",
            Status::Skipped => "skipped",
            Status::Cancelled => "cancelled",
            Status::Interrupted => "interrupted",
        }
    }

    /// The status a word names.
    #[must_use]
    pub fn from_word(w: &str) -> Option<Status> {
        Some(match w {
            "queued" => Status::Queued,
            "running" => Status::Running,
            "done" => Status::Done,
            "failed" => Status::Failed,
            "skipped" => Status::Skipped,
            "cancelled" => Status::Cancelled,
            "interrupted" => Status::Interrupted,
            _ => return None,
        })
    }

    /// Whether this is an end (anything but queued or running).
    #[must_use]
    pub fn is_final(self) -> bool {
        !matches!(self, Status::Queued | Status::Running)
    }
}

/// The history could not be used.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum HistoryError {
    /// The file could not be opened, created or read as a history database.
    #[error("cannot use the build history {path}: {reason}")]
    #[diagnostic(
        code(bake::history::unusable),
        help("move the file aside (a new history is created in its place), or point BAKE_HISTORY at another file")
    )]
    Unusable {
        /// The file.
        path: String,
        /// What went wrong.
        reason: String,
    },
    /// The file was written by a newer bake, with a schema this one does not know.
    #[error("the build history {path} has schema version {found}; this bake knows versions up to {known}")]
    #[diagnostic(
        code(bake::history::newer),
        help("use the newer bake that wrote it, or point BAKE_HISTORY at another file")
    )]
    Newer {
        /// The file.
        path: String,
        /// Its `user_version`.
        found: i64,
        /// The newest version this crate knows.
        known: i64,
    },
    /// A build id was recorded already (two runs drew the same id).
    #[error("build id {0} is already in the history")]
    #[diagnostic(code(bake::history::duplicate))]
    Duplicate(String),
}

/// A run about to start: what [`History::begin`] records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRun {
    /// Its id.
    pub id: BuildId,
    /// The command line, program name first.
    pub command: Vec<String>,
    /// The working directory.
    pub cwd: String,
    /// The process running it.
    pub owner: Owner,
    /// When it started, in Unix milliseconds.
    pub started_ms: i64,
    /// Its builds, in graph order.
    pub targets: Vec<NewTarget>,
}

/// One build of a run, as it starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTarget {
    /// The target name(s), as the summary shows them.
    pub name: String,
    /// Its project.
    pub project: String,
    /// The builder it goes to (a builder name, `docker-host=…`, `endpoint=…`, `default`).
    pub builder: String,
    /// Whether the user asked for it (else it is built only for others that use it).
    pub requested: bool,
}

/// How one build ended, as [`History::finish`] and [`History::target_finished`] record it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TargetEnd {
    /// Its status; `None` leaves it as it is.
    pub status: Option<Status>,
    /// When it started (Unix ms), when known.
    pub started_ms: Option<i64>,
    /// When it ended (Unix ms), when known.
    pub ended_ms: Option<i64>,
    /// The image digest.
    pub digest: Option<String>,
    /// The image names it was tagged with.
    pub image_refs: Vec<String>,
    /// Where `--save` put it.
    pub saved_refs: Vec<String>,
    /// Why it failed.
    pub error: Option<String>,
    /// The builder it ran on, when not the one it was recorded with (a fleet's node).
    pub builder: Option<String>,
}

/// A recorded run.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RunRecord {
    /// Its build id.
    pub id: String,
    /// Its status.
    pub status: String,
    /// The command line.
    pub command: Vec<String>,
    /// The working directory.
    pub cwd: String,
    /// When it started, Unix ms.
    pub started_ms: i64,
    /// When it ended, Unix ms (none while running, or when interrupted).
    pub ended_ms: Option<i64>,
    /// Its exit code, once ended.
    pub exit_code: Option<i32>,
    /// The process that ran it.
    pub pid: u32,
    /// Its builds, in graph order.
    pub targets: Vec<TargetRecord>,
}

/// A recorded build of a run.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TargetRecord {
    /// The target name(s).
    pub name: String,
    /// Its project.
    pub project: String,
    /// Its builder.
    pub builder: String,
    /// Whether the user asked for it.
    pub requested: bool,
    /// Its status.
    pub status: String,
    /// When it started, Unix ms.
    pub started_ms: Option<i64>,
    /// When it ended, Unix ms.
    pub ended_ms: Option<i64>,
    /// The image digest.
    pub digest: Option<String>,
    /// The image names.
    pub image_refs: Vec<String>,
    /// Where `--save` put it.
    pub saved_refs: Vec<String>,
    /// Why it failed.
    pub error: Option<String>,
}

impl RunRecord {
    /// The projects of its builds, sorted, each once.
    #[must_use]
    pub fn projects(&self) -> Vec<&str> {
        let mut p: Vec<&str> = self.targets.iter().map(|t| t.project.as_str()).collect();
        p.sort_unstable();
        p.dedup();
        p
    }

    /// Every saved ref of its builds, in graph order.
    #[must_use]
    pub fn saved_refs(&self) -> Vec<&str> {
        self.targets
            .iter()
            .flat_map(|t| t.saved_refs.iter().map(String::as_str))
            .collect()
    }

    /// How long it ran, when it ended.
    #[must_use]
    pub fn duration_ms(&self) -> Option<i64> {
        self.ended_ms.map(|e| (e - self.started_ms).max(0))
    }
}

/// The tag of image reference `r` (`REPO:TAG@DIGEST` gives `TAG`).
fn tag_of(r: &str) -> &str {
    let name = r.split_once('@').map_or(r, |(n, _)| n);
    name.rsplit_once(':').map_or("", |(_, t)| t)
}

/// What a build id, id prefix or save tag names ([`History::find`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    /// One run.
    Run(Box<RunRecord>),
    /// A prefix of several runs' ids: these (the newest ten).
    Ambiguous(Vec<String>),
    /// Nothing.
    NotFound,
}

impl TargetRecord {
    /// Its names (a deduplicated build has several).
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.name.split(',')
    }

    /// Whether it is a saved single build (`bakery build --save`): its first saved ref is
    /// `REPO:BUILD-ID`, where a bake target's is `REPO:BUILD-ID-TARGET` (build ids have no
    /// `-`).
    #[must_use]
    pub fn is_single_build(&self) -> bool {
        self.saved_refs
            .first()
            .is_some_and(|r| !tag_of(r).contains('-'))
    }

    /// The ref (with its digest) it was saved as under tag `tag` (a build id or a save tag):
    /// `REPO:TAG-NAME` (its first name) or, for a single build, `REPO:TAG`. A single build's
    /// first ref is `REPO:BUILD-ID`, and a build id has no `-`: that tells them apart.
    #[must_use]
    pub fn saved_under(&self, tag: &str) -> Option<&str> {
        let single = self.is_single_build();
        self.saved_refs.first()?;
        let first = self.names().next().unwrap_or_default();
        self.saved_refs.iter().map(String::as_str).find(|r| {
            let t = tag_of(r);
            if single {
                t == tag
            } else {
                t.strip_prefix(tag)
                    .and_then(|rest| rest.strip_prefix('-'))
                    .is_some_and(|n| n == first)
            }
        })
    }
}

/// Which runs [`History::list`] returns.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListFilter {
    /// Only runs with a build in this project.
    pub project: Option<String>,
    /// At most this many (the newest).
    pub limit: Option<usize>,
}

/// An open history database.
#[derive(Debug)]
pub struct History {
    conn: Connection,
    path: String,
}

impl History {
    /// Opens (creating it and its directory when missing) the history at `path`, bringing its
    /// schema up to date.
    ///
    /// # Errors
    /// [`HistoryError::Unusable`] for a file that cannot be created or read or is not a
    /// database (or a corrupt one), [`HistoryError::Newer`] for a newer schema.
    pub fn open(path: &Path) -> Result<History, HistoryError> {
        let shown = path.display().to_string();
        let unusable = |reason: String| HistoryError::Unusable {
            path: shown.clone(),
            reason,
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| unusable(format!("cannot create {}: {e}", dir.display())))?;
        }
        if path.is_dir() {
            return Err(unusable("it is a directory".into()));
        }
        let conn = Connection::open(path).map_err(|e| unusable(e.to_string()))?;
        conn.busy_timeout(BUSY_TIMEOUT)
            .map_err(|e| unusable(e.to_string()))?;
        // WAL lets readers and one writer work at once; NORMAL sync is safe with WAL.
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(|e| unusable(e.to_string()))?;
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(|e| unusable(e.to_string()))?;
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(|e| unusable(e.to_string()))?;
        let mut h = History {
            conn,
            path: shown.clone(),
        };
        schema::migrate(&mut h.conn).map_err(|e| match e {
            schema::MigrateError::Newer(found) => HistoryError::Newer {
                path: h.path.clone(),
                found,
                known: schema::VERSION,
            },
            schema::MigrateError::Sql(e) => unusable(e.to_string()),
        })?;
        Ok(h)
    }

    /// The file, as given to [`History::open`].
    #[must_use]
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The schema version of the open database.
    ///
    /// # Errors
    /// A database that cannot be read.
    pub fn schema_version(&self) -> Result<i64, HistoryError> {
        self.conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(|e| self.sql(&e))
    }

    fn sql(&self, e: &rusqlite::Error) -> HistoryError {
        HistoryError::Unusable {
            path: self.path.clone(),
            reason: e.to_string(),
        }
    }

    /// Records a run as `running`, with its builds `queued`.
    ///
    /// # Errors
    /// [`HistoryError::Duplicate`] when the id is recorded already; a database that cannot be
    /// written.
    pub fn begin(&mut self, run: &NewRun) -> Result<(), HistoryError> {
        let command = serde_json::to_string(&run.command).unwrap_or_else(|_| "[]".into());
        let tx = self
            .conn
            .transaction()
            .map_err(|e| sql_err(&self.path, &e))?;
        let inserted = tx.execute(
            "INSERT OR IGNORE INTO runs (id, status, command, cwd, pid, pid_start, started_ms)
             VALUES (?1, 'running', ?2, ?3, ?4, ?5, ?6)",
            params![
                run.id.as_str(),
                command,
                run.cwd,
                run.owner.pid,
                run.owner.start,
                run.started_ms
            ],
        );
        match inserted {
            Ok(0) => return Err(HistoryError::Duplicate(run.id.as_str().to_string())),
            Ok(_) => {}
            Err(e) => return Err(sql_err(&self.path, &e)),
        }
        for (i, t) in run.targets.iter().enumerate() {
            tx.execute(
                "INSERT INTO targets (run_id, position, name, project, builder, requested, status)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'queued')",
                params![
                    run.id.as_str(),
                    i,
                    t.name,
                    t.project,
                    t.builder,
                    t.requested
                ],
            )
            .map_err(|e| sql_err(&self.path, &e))?;
        }
        tx.commit().map_err(|e| sql_err(&self.path, &e))
    }

    /// Records that build `position` of run `id` started at `at_ms`.
    ///
    /// # Errors
    /// A database that cannot be written.
    pub fn target_started(
        &self,
        id: &BuildId,
        position: usize,
        at_ms: i64,
    ) -> Result<(), HistoryError> {
        self.conn
            .execute(
                "UPDATE targets SET status = 'running', started_ms = COALESCE(started_ms, ?3)
                 WHERE run_id = ?1 AND position = ?2",
                params![id.as_str(), position, at_ms],
            )
            .map(drop)
            .map_err(|e| self.sql(&e))
    }

    /// Records how build `position` of run `id` ended (fields left `None` or empty keep what
    /// is recorded).
    ///
    /// # Errors
    /// A database that cannot be written.
    pub fn target_finished(
        &self,
        id: &BuildId,
        position: usize,
        end: &TargetEnd,
    ) -> Result<(), HistoryError> {
        update_target(&self.conn, id, position, end).map_err(|e| self.sql(&e))
    }

    /// Records the end of run `id`: its status, end time, exit code and every build's end
    /// (by position), in one transaction.
    ///
    /// # Errors
    /// A database that cannot be written.
    pub fn finish(
        &mut self,
        id: &BuildId,
        status: Status,
        ended_ms: i64,
        exit_code: i32,
        targets: &[TargetEnd],
    ) -> Result<(), HistoryError> {
        let tx = self
            .conn
            .transaction()
            .map_err(|e| sql_err(&self.path, &e))?;
        for (i, end) in targets.iter().enumerate() {
            update_target(&tx, id, i, end).map_err(|e| sql_err(&self.path, &e))?;
        }
        // Builds given no end (none should be: the host passes one per build) are cancelled.
        tx.execute(
            "UPDATE targets SET status = 'cancelled'
             WHERE run_id = ?1 AND status IN ('queued', 'running')",
            params![id.as_str()],
        )
        .map_err(|e| sql_err(&self.path, &e))?;
        tx.execute(
            "UPDATE runs SET status = ?2, ended_ms = ?3, exit_code = ?4 WHERE id = ?1",
            params![id.as_str(), status.word(), ended_ms, exit_code],
        )
        .map_err(|e| sql_err(&self.path, &e))?;
        tx.commit().map_err(|e| sql_err(&self.path, &e))
    }

    /// Marks every `running` run whose process is gone (`alive` says so) as `interrupted`,
    /// with its unfinished builds. Returns how many it marked.
    ///
    /// # Errors
    /// A database that cannot be read or written.
    pub fn mark_interrupted(
        &mut self,
        alive: &dyn Fn(&Owner) -> bool,
    ) -> Result<usize, HistoryError> {
        let running: Vec<(String, Owner)> = {
            let mut st = self
                .conn
                .prepare("SELECT id, pid, pid_start FROM runs WHERE status = 'running'")
                .map_err(|e| self.sql(&e))?;
            let rows = st
                .query_map([], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        Owner {
                            pid: r.get(1)?,
                            start: r.get(2)?,
                        },
                    ))
                })
                .map_err(|e| self.sql(&e))?;
            rows.collect::<Result<_, _>>().map_err(|e| self.sql(&e))?
        };
        let gone: Vec<String> = running
            .into_iter()
            .filter(|(_, o)| !alive(o))
            .map(|(id, _)| id)
            .collect();
        if gone.is_empty() {
            return Ok(0);
        }
        let tx = self
            .conn
            .transaction()
            .map_err(|e| sql_err(&self.path, &e))?;
        let mut n = 0;
        for id in &gone {
            n += tx
                .execute(
                    "UPDATE runs SET status = 'interrupted' WHERE id = ?1 AND status = 'running'",
                    [id],
                )
                .map_err(|e| sql_err(&self.path, &e))?;
            tx.execute(
                "UPDATE targets SET status = 'interrupted'
                 WHERE run_id = ?1 AND status IN ('queued', 'running')",
                [id],
            )
            .map_err(|e| sql_err(&self.path, &e))?;
        }
        tx.commit().map_err(|e| sql_err(&self.path, &e))?;
        Ok(n)
    }

    /// The runs, newest first (by start time, then id), after marking the ones whose process
    /// is gone as interrupted (`alive` tells whether a process still runs: [`is_alive`]).
    ///
    /// # Errors
    /// A database that cannot be read or written.
    pub fn list(
        &mut self,
        filter: &ListFilter,
        alive: &dyn Fn(&Owner) -> bool,
    ) -> Result<Vec<RunRecord>, HistoryError> {
        self.mark_interrupted(alive)?;
        let limit = filter
            .limit
            .map_or(-1, |l| i64::try_from(l).unwrap_or(i64::MAX));
        let mut st = self
            .conn
            .prepare(
                "SELECT id, status, command, cwd, started_ms, ended_ms, exit_code, pid FROM runs
                 WHERE ?1 IS NULL OR id IN (SELECT run_id FROM targets WHERE project = ?1)
                 ORDER BY started_ms DESC, id DESC LIMIT ?2",
            )
            .map_err(|e| self.sql(&e))?;
        let rows = st
            .query_map(params![filter.project, limit], run_row)
            .map_err(|e| self.sql(&e))?;
        let mut runs: Vec<RunRecord> = rows.collect::<Result<_, _>>().map_err(|e| self.sql(&e))?;
        drop(st);
        for run in &mut runs {
            run.targets = self.targets_of(&run.id)?;
        }
        Ok(runs)
    }

    /// One run by its full id.
    ///
    /// # Errors
    /// A database that cannot be read.
    pub fn get(&self, id: &str) -> Result<Option<RunRecord>, HistoryError> {
        let run = self
            .conn
            .query_row(
                "SELECT id, status, command, cwd, started_ms, ended_ms, exit_code, pid FROM runs
                 WHERE id = ?1",
                [id],
                run_row,
            )
            .optional()
            .map_err(|e| self.sql(&e))?;
        let Some(mut run) = run else {
            return Ok(None);
        };
        run.targets = self.targets_of(&run.id)?;
        Ok(Some(run))
    }

    /// The run `key` names: a build id, a unique prefix of one (as git takes commits), else
    /// a save tag (`--save-tag`; the newest run saved under it), after marking the runs whose
    /// process is gone as interrupted.
    ///
    /// # Errors
    /// A database that cannot be read or written.
    pub fn find(
        &mut self,
        key: &str,
        alive: &dyn Fn(&Owner) -> bool,
    ) -> Result<Lookup, HistoryError> {
        self.mark_interrupted(alive)?;
        let key = key.trim();
        if key.is_empty() {
            return Ok(Lookup::NotFound);
        }
        let ids = self.column(
            "SELECT id FROM runs WHERE substr(id, 1, length(?1)) = ?1
             ORDER BY started_ms DESC, id DESC LIMIT 10",
            key,
        )?;
        match ids.len() {
            0 => {}
            1 => {
                return Ok(self
                    .get(&ids[0])?
                    .map_or(Lookup::NotFound, |r| Lookup::Run(Box::new(r))))
            }
            _ => return Ok(Lookup::Ambiguous(ids)),
        }
        let candidates = self.column(
            "SELECT r.id FROM runs r WHERE r.id IN
               (SELECT run_id FROM targets WHERE instr(saved_refs, ':' || ?1) > 0)
             ORDER BY r.started_ms DESC, r.id DESC",
            key,
        )?;
        for id in candidates {
            if let Some(run) = self.get(&id)? {
                if run.targets.iter().any(|t| t.saved_under(key).is_some()) {
                    return Ok(Lookup::Run(Box::new(run)));
                }
            }
        }
        Ok(Lookup::NotFound)
    }

    /// The ids of the newest runs, at most `n`.
    ///
    /// # Errors
    /// A database that cannot be read.
    pub fn recent_ids(&self, n: usize) -> Result<Vec<String>, HistoryError> {
        let n = i64::try_from(n).unwrap_or(i64::MAX);
        let mut st = self
            .conn
            .prepare("SELECT id FROM runs ORDER BY started_ms DESC, id DESC LIMIT ?1")
            .map_err(|e| self.sql(&e))?;
        let rows = st.query_map([n], |r| r.get(0)).map_err(|e| self.sql(&e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.sql(&e))
    }

    /// The first column of `sql`'s rows, with `arg` as `?1`.
    fn column(&self, sql: &str, arg: &str) -> Result<Vec<String>, HistoryError> {
        let mut st = self.conn.prepare(sql).map_err(|e| self.sql(&e))?;
        let rows = st
            .query_map([arg], |r| r.get(0))
            .map_err(|e| self.sql(&e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.sql(&e))
    }

    fn targets_of(&self, id: &str) -> Result<Vec<TargetRecord>, HistoryError> {
        let mut st = self
            .conn
            .prepare(
                "SELECT name, project, builder, requested, status, started_ms, ended_ms, digest,
                        image_refs, saved_refs, error
                 FROM targets WHERE run_id = ?1 ORDER BY position",
            )
            .map_err(|e| self.sql(&e))?;
        let rows = st
            .query_map([id], |r| {
                let list = |s: String| serde_json::from_str::<Vec<String>>(&s).unwrap_or_default();
                Ok(TargetRecord {
                    name: r.get(0)?,
                    project: r.get(1)?,
                    builder: r.get(2)?,
                    requested: r.get(3)?,
                    status: r.get(4)?,
                    started_ms: r.get(5)?,
                    ended_ms: r.get(6)?,
                    digest: r.get(7)?,
                    image_refs: list(r.get(8)?),
                    saved_refs: list(r.get(9)?),
                    error: r.get(10)?,
                })
            })
            .map_err(|e| self.sql(&e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.sql(&e))
    }
}

/// A run of a `SELECT id, status, command, cwd, started_ms, ended_ms, exit_code, pid FROM
/// runs` row, without its builds.
fn run_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<RunRecord> {
    let command: String = r.get(2)?;
    Ok(RunRecord {
        id: r.get(0)?,
        status: r.get(1)?,
        command: serde_json::from_str(&command).unwrap_or_default(),
        cwd: r.get(3)?,
        started_ms: r.get(4)?,
        ended_ms: r.get(5)?,
        exit_code: r.get(6)?,
        pid: r.get(7)?,
        targets: Vec::new(),
    })
}

fn sql_err(path: &str, e: &rusqlite::Error) -> HistoryError {
    HistoryError::Unusable {
        path: path.to_string(),
        reason: e.to_string(),
    }
}

fn update_target(
    conn: &Connection,
    id: &BuildId,
    position: usize,
    end: &TargetEnd,
) -> rusqlite::Result<()> {
    let list = |v: &[String]| (!v.is_empty()).then(|| serde_json::to_string(v).unwrap_or_default());
    conn.execute(
        "UPDATE targets SET
            status = COALESCE(?3, status),
            started_ms = COALESCE(?4, started_ms),
            ended_ms = COALESCE(?5, ended_ms),
            digest = COALESCE(?6, digest),
            image_refs = COALESCE(?7, image_refs),
            saved_refs = COALESCE(?8, saved_refs),
            error = COALESCE(?9, error),
            builder = COALESCE(?10, builder)
         WHERE run_id = ?1 AND position = ?2",
        params![
            id.as_str(),
            position,
            end.status.map(Status::word),
            end.started_ms,
            end.ended_ms,
            end.digest,
            list(&end.image_refs),
            list(&end.saved_refs),
            end.error,
            end.builder,
        ],
    )
    .map(drop)
}

#[cfg(test)]
mod tests;
