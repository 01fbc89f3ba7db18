//! Running the process of a run: `docker buildx bake` in a process group of its own (so a
//! cancellation reaches every process it started), its standard input written, its standard
//! output kept and its `rawjson` progress on standard error decoded into [`Event`]s as it
//! comes; plus the short docker commands of preparation and loading
//! ([`BuildxBackend::short`]).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::process::{Child, ChildStderr};
use tokio::task::JoinHandle;

use super::{BuildxBackend, Invocation};
use crate::definition::Definition;
use crate::rawjson::{Decoder, Item, RunTracker};
use crate::{BuildFailure, BuildJob, Cancel, Event, EventSink};

/// Kills a process group when dropped, unless told the process has ended.
struct GroupGuard {
    pgid: Option<i32>,
}

impl GroupGuard {
    fn signal(&self, sig: i32) {
        if let Some(p) = self.pgid {
            // SAFETY: kill(2) with a negative pid signals the process group we created for
            // this run (process_group(0) makes the child its leader); no memory is touched.
            unsafe {
                libc::kill(-p, sig);
            }
        }
    }
}

impl Drop for GroupGuard {
    fn drop(&mut self) {
        self.signal(libc::SIGKILL);
    }
}

/// What the process of a run left behind.
pub(super) struct Ran {
    /// Whether it exited with 0.
    pub(super) success: bool,
    /// How it exited (`exit status: 1`).
    pub(super) exit: String,
    /// Its progress, per slot.
    pub(super) tracker: RunTracker,
    /// What it printed on standard output (`--call` results).
    pub(super) stdout: String,
    /// When it started.
    pub(super) start: Instant,
}

/// The process of a run, started, and the tasks reading its output.
struct Started {
    child: Child,
    guard: GroupGuard,
    stdout: Option<JoinHandle<String>>,
    progress: Option<JoinHandle<RunTracker>>,
}

/// The progress tracker of a run (one slot per build, the definition's targets named after
/// their slot) and the build of each slot (none for context-only builds).
pub(super) fn progress_slots(
    def: &Definition,
    builds: &[BuildJob],
) -> (RunTracker, Vec<Option<usize>>) {
    let slot_of: HashMap<usize, usize> = builds
        .iter()
        .enumerate()
        .map(|(s, b)| (b.index, s))
        .collect();
    let nodes: Vec<Option<usize>> = builds
        .iter()
        .map(|b| (!b.context_only).then_some(b.index))
        .collect();
    let tracker = RunTracker::new(
        def.targets
            .iter()
            .map(|d| (d.name.clone(), slot_of[&d.node])),
        builds.len(),
    );
    (tracker, nodes)
}

impl BuildxBackend {
    /// Runs `inv`, feeding its progress to `tracker` and the events of slot `s` to the build
    /// `nodes[s]` (none for context-only slots). `None` when cancelled.
    pub(super) async fn execute(
        &self,
        inv: &Invocation,
        tracker: RunTracker,
        nodes: Vec<Option<usize>>,
        events: Arc<dyn EventSink>,
        mut cancel: Cancel,
    ) -> Result<Option<Ran>, BuildFailure> {
        let start = Instant::now();
        let Started {
            mut child,
            mut guard,
            stdout: stdout_task,
            progress: stderr_task,
        } = self.start(inv, tracker, nodes, events)?;
        let status = tokio::select! {
            s = child.wait() => s,
            () = cancel.cancelled() => {
                // buildx cancels the solve in BuildKit on SIGINT; give it a moment.
                guard.signal(libc::SIGINT);
                if tokio::time::timeout(Duration::from_secs(5), child.wait()).await.is_err() {
                    guard.signal(libc::SIGKILL);
                    let _ = child.wait().await;
                }
                guard.signal(libc::SIGKILL);
                guard.pgid = None;
                return Ok(None);
            }
        };
        // The leader exited; anything left in its group goes with the guard.
        drop(guard);
        let status = status.map_err(|e| BuildFailure::new(format!("waiting for docker: {e}")))?;
        let tracker = match stderr_task {
            Some(t) => t
                .await
                .map_err(|e| BuildFailure::new(format!("reading buildx's progress: {e}")))?,
            None => return Err(BuildFailure::new("buildx's progress was not readable")),
        };
        let stdout = match stdout_task {
            Some(t) => t.await.unwrap_or_default(),
            None => String::new(),
        };
        Ok(Some(Ran {
            success: status.success(),
            exit: status.to_string(),
            tracker,
            stdout,
            start,
        }))
    }

    /// Starts `inv` as the leader of a new process group, writes its standard input, and
    /// reads its standard output and its progress in tasks of their own.
    fn start(
        &self,
        inv: &Invocation,
        tracker: RunTracker,
        nodes: Vec<Option<usize>>,
        events: Arc<dyn EventSink>,
    ) -> Result<Started, BuildFailure> {
        let mut cmd = tokio::process::Command::new(&inv.program);
        cmd.args(&inv.args)
            .env_clear()
            .envs(&self.env)
            .envs(inv.env.iter().cloned())
            .current_dir(&self.cwd)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .process_group(0)
            .kill_on_drop(true);
        let mut child = cmd
            .spawn()
            .map_err(|e| BuildFailure::new(format!("cannot run {}: {e}", inv.program.display())))?;
        let guard = GroupGuard {
            pgid: child.id().and_then(|p| i32::try_from(p).ok()),
        };
        if let Some(mut w) = child.stdin.take() {
            let text = inv.stdin.clone().unwrap_or_default();
            tokio::spawn(async move {
                let _ = w.write_all(text.as_bytes()).await;
            });
        }
        let stdout = child.stdout.take().map(|mut r| {
            tokio::spawn(async move {
                let mut s = String::new();
                let _ = r.read_to_string(&mut s).await;
                s
            })
        });
        let progress = child
            .stderr
            .take()
            .map(|r| tokio::spawn(read_progress(r, tracker, nodes, events)));
        Ok(Started {
            child,
            guard,
            stdout,
            progress,
        })
    }

    /// Runs a short docker command with a time limit; its trimmed stdout, or the last line of
    /// its stderr.
    pub(super) async fn short(
        &self,
        args: &[&str],
        env: &[(String, String)],
        limit: Duration,
    ) -> Result<String, String> {
        self.short_with_input(args, env, "", limit).await
    }

    /// [`BuildxBackend::short`] with `input` on the command's standard input.
    pub(super) async fn short_with_input(
        &self,
        args: &[&str],
        env: &[(String, String)],
        input: &str,
        limit: Duration,
    ) -> Result<String, String> {
        let out = self.output(args, env, input, limit).await?;
        if out.status.success() {
            return Ok(String::from_utf8_lossy(&out.stdout).trim().to_string());
        }
        Err(last_line(&out.stderr, "failed"))
    }

    /// Runs a docker command with `input` on its standard input and a time limit; its output,
    /// whatever its exit status. An error when it cannot run or does not end in time.
    pub(super) async fn output(
        &self,
        args: &[&str],
        env: &[(String, String)],
        input: &str,
        limit: Duration,
    ) -> Result<std::process::Output, String> {
        use tokio::io::AsyncWriteExt;
        let mut cmd = tokio::process::Command::new(&self.docker);
        cmd.args(args)
            .env_clear()
            .envs(&self.env)
            .envs(env.iter().cloned())
            .current_dir(&self.cwd)
            .stdin(if input.is_empty() {
                std::process::Stdio::null()
            } else {
                std::process::Stdio::piped()
            })
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .kill_on_drop(true);
        let run = async {
            let mut child = cmd.spawn()?;
            if let Some(mut stdin) = child.stdin.take() {
                stdin.write_all(input.as_bytes()).await?;
            }
            child.wait_with_output().await
        };
        match tokio::time::timeout(limit, run).await {
            Err(_) => Err(format!(
                "`docker {}` did not answer within {}s",
                args.join(" "),
                limit.as_secs()
            )),
            Ok(Err(e)) => Err(format!("cannot run {}: {e}", self.docker.display())),
            Ok(Ok(out)) => Ok(out),
        }
    }
}

/// The last line of `stderr` that is not blank, without buildx's `ERROR: `; `or` when none.
pub(super) fn last_line(stderr: &[u8], or: &str) -> String {
    let err = String::from_utf8_lossy(stderr);
    err.lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or(or)
        .trim()
        .to_string()
}

/// Decodes buildx's `rawjson` progress from `r` until it ends, feeding it to `tracker` and
/// the events to the builds `nodes` names.
async fn read_progress(
    mut r: ChildStderr,
    mut tracker: RunTracker,
    nodes: Vec<Option<usize>>,
    events: Arc<dyn EventSink>,
) -> RunTracker {
    let mut dec = Decoder::default();
    let mut buf = vec![0u8; 32 * 1024];
    loop {
        let n = match r.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        for item in dec.push(&buf[..n]) {
            feed(&mut tracker, item, &nodes, events.as_ref());
        }
    }
    for item in dec.finish() {
        feed(&mut tracker, item, &nodes, events.as_ref());
    }
    tracker
}

/// Takes in one progress item: its log lines and step counts become the events of the
/// builds whose slots it touched.
fn feed(tr: &mut RunTracker, item: Item, nodes: &[Option<usize>], events: &dyn EventSink) {
    for (s, lines) in tr.apply(item) {
        let Some(node) = nodes.get(s).copied().flatten() else {
            continue;
        };
        if lines.is_empty() {
            continue;
        }
        for line in lines {
            events.event(&Event::Log { node, line });
        }
        let t = tr.slot(s);
        let (total, done, _) = t.counts();
        let (_, cached) = t.step_counts();
        events.event(&Event::Progress {
            node,
            total,
            done,
            cached,
            current: t.current(),
        });
    }
}
