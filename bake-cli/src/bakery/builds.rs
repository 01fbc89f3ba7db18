//! `bakery list builds`: the runs of the build history, newest first, as a table, JSON or CSV
//! (CSV when standard output is not a terminal and no `--output` is given, as Depot does).

use bake_history::{is_alive, History, ListFilter, RunRecord};

use super::Output;
use crate::record::history_path;
use crate::summary::table;
use crate::{Context, Failure};

#[derive(Debug, clap::Args)]
pub(super) struct ListArgs {
    /// Only builds with a target in this project
    #[arg(long, value_name = "ID")]
    project: Option<String>,
    /// table, json or csv (default: table on a terminal, csv otherwise)
    #[arg(long, short = 'o', value_name = "FORMAT")]
    output: Option<Output>,
    /// At most this many builds (the newest)
    #[arg(long, short = 'n', value_name = "N")]
    limit: Option<usize>,
}

pub(super) fn run(a: &ListArgs, cx: &mut Context<'_>) -> Result<i32, Failure> {
    let path = history_path(cx)?;
    let output = a.output.unwrap_or(if cx.stdout_terminal {
        Output::Table
    } else {
        Output::Csv
    });
    // No history yet: nothing was built, and listing creates nothing.
    let runs = if path.exists() {
        let mut h = History::open(&path).map_err(|e| Box::new(e) as Failure)?;
        let filter = ListFilter {
            project: a.project.clone(),
            limit: a.limit,
        };
        h.list(&filter, &is_alive)
            .map_err(|e| Box::new(e) as Failure)?
    } else {
        Vec::new()
    };
    let now_ms = cx
        .now
        .map(|(s, n)| s.saturating_mul(1000) + i64::from(n / 1_000_000));
    let text = match output {
        Output::Json => json(&runs, now_ms),
        Output::Csv => csv(&runs, now_ms),
        Output::Table => {
            if runs.is_empty() {
                let _ = writeln!(
                    cx.stderr,
                    "no builds recorded{} (history: {})",
                    a.project
                        .as_ref()
                        .map_or_else(String::new, |p| format!(" for project {p}")),
                    path.display()
                );
                return Ok(0);
            }
            table_of(&runs, now_ms)
        }
    };
    crate::write_out(cx.stdout, &text)?;
    Ok(0)
}

/// Seconds the run took; for a running one, so far (as Depot shows it); none when it was
/// interrupted (its end is unknown).
fn duration_s(r: &RunRecord, now_ms: Option<i64>) -> Option<i64> {
    match (r.ended_ms, r.status.as_str()) {
        (Some(e), _) => Some((e - r.started_ms).max(0) / 1000),
        (None, "running") => now_ms.map(|n| (n - r.started_ms).max(0) / 1000),
        _ => None,
    }
}

fn duration_text(r: &RunRecord, now_ms: Option<i64>) -> String {
    match (r.ended_ms, r.status.as_str()) {
        (Some(e), _) => format!("{:.1}s", (e - r.started_ms).max(0) as f64 / 1000.0),
        (None, "running") => now_ms.map_or_else(
            || "-".into(),
            |n| format!("{}s", (n - r.started_ms).max(0) / 1000),
        ),
        _ => "-".into(),
    }
}

/// The requested targets' names (all of them when none was requested by name).
fn target_names(r: &RunRecord) -> Vec<&str> {
    let requested: Vec<&str> = r
        .targets
        .iter()
        .filter(|t| t.requested)
        .map(|t| t.name.as_str())
        .collect();
    if requested.is_empty() {
        r.targets.iter().map(|t| t.name.as_str()).collect()
    } else {
        requested
    }
}

fn table_of(runs: &[RunRecord], now_ms: Option<i64>) -> String {
    let mut rows = vec![[
        "BUILD ID", "PROJECT", "TARGETS", "STATUS", "DURATION", "STARTED", "SAVED",
    ]
    .map(String::from)
    .to_vec()];
    for r in runs {
        let saved = r.saved_refs();
        rows.push(vec![
            r.id.clone(),
            r.projects().join(","),
            target_names(r).join(","),
            r.status.clone(),
            duration_text(r, now_ms),
            rfc3339(r.started_ms),
            if saved.is_empty() {
                "-".into()
            } else {
                saved.join(" ")
            },
        ]);
    }
    table(&rows)
}

/// Depot's CSV (`Build ID`, `Status`, `Started`, `Duration (s)`, header only when there are
/// builds), then our columns: projects, targets, saved refs.
fn csv(runs: &[RunRecord], now_ms: Option<i64>) -> String {
    let mut out = String::new();
    if runs.is_empty() {
        return out;
    }
    out.push_str("Build ID,Status,Started,Duration (s),Projects,Targets,Saved\n");
    for r in runs {
        let fields = [
            r.id.clone(),
            r.status.clone(),
            rfc3339(r.started_ms),
            duration_s(r, now_ms).map_or_else(String::new, |d| d.to_string()),
            r.projects().join(" "),
            target_names(r).join(" "),
            r.saved_refs().join(" "),
        ];
        let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        out.push_str(&line.join(","));
        out.push('\n');
    }
    out
}

/// A CSV field as Go's `encoding/csv` writes it: quoted when it holds a comma, a quote, a
/// line break or leading space, with quotes doubled.
fn csv_field(f: &str) -> String {
    if f.contains([',', '"', '\n', '\r']) || f.starts_with(' ') || f.starts_with('\t') {
        format!("\"{}\"", f.replace('"', "\"\""))
    } else {
        f.to_string()
    }
}

/// Depot's JSON fields (`id`, `status`, `startTime`, `duration` in whole seconds), then the
/// run in full: projects, targets with their status, digest, refs and error, saved refs,
/// exit code, command line, working directory.
fn json(runs: &[RunRecord], now_ms: Option<i64>) -> String {
    let list: Vec<serde_json::Value> = runs
        .iter()
        .map(|r| {
            let targets: Vec<serde_json::Value> = r
                .targets
                .iter()
                .map(|t| {
                    serde_json::json!({
                        "name": t.name,
                        "project": t.project,
                        "builder": t.builder,
                        "requested": t.requested,
                        "status": t.status,
                        "startTime": t.started_ms.map(rfc3339),
                        "duration": t.started_ms.zip(t.ended_ms).map(|(s, e)| (e - s).max(0) as f64 / 1000.0),
                        "digest": t.digest,
                        "imageRefs": t.image_refs,
                        "savedRefs": t.saved_refs,
                        "error": t.error,
                    })
                })
                .collect();
            serde_json::json!({
                "id": r.id,
                "status": r.status,
                "startTime": rfc3339(r.started_ms),
                "duration": duration_s(r, now_ms),
                "projects": r.projects(),
                "targets": targets,
                "savedRefs": r.saved_refs(),
                "exitCode": r.exit_code,
                "command": r.command,
                "cwd": r.cwd,
            })
        })
        .collect();
    let mut s = serde_json::to_string_pretty(&list).unwrap_or_else(|_| "[]".into());
    s.push('\n');
    s
}

/// Unix milliseconds as RFC 3339 in UTC, to the second (`2024-05-01T12:00:00Z`).
fn rfc3339(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::{csv_field, rfc3339};

    #[test]
    fn times_are_utc_rfc3339() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_700_000_000_000), "2023-11-14T22:13:20Z");
        assert_eq!(rfc3339(951_782_400_000), "2000-02-29T00:00:00Z");
    }

    #[test]
    fn csv_quotes_as_go_does() {
        assert_eq!(csv_field("a b"), "a b");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
    }
}
