//! The command of a run: `docker buildx bake -f - --progress=rawjson --metadata-file …` with
//! the run's definition on standard input ([`BuildxBackend::command`]), and [`Invocation`],
//! a command line that can be shown as a shell line (the dry-run plan prints them).

use std::path::PathBuf;

use super::BuildxBackend;
use crate::definition::{definition, Definition, Role};
use crate::RunJob;

/// A command line: program, arguments, extra environment and standard input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invocation {
    /// The program (the `docker` found in `PATH`).
    pub program: PathBuf,
    /// Its arguments.
    pub args: Vec<String>,
    /// Variables set for it on top of the caller's environment.
    pub env: Vec<(String, String)>,
    /// What it reads on standard input (an inline Dockerfile).
    pub stdin: Option<String>,
}

impl Invocation {
    /// The command as a shell line (`DOCKER_HOST=… docker buildx build …`), quoted for sh.
    #[must_use]
    pub fn shell_line(&self) -> String {
        let mut parts: Vec<String> = self
            .env
            .iter()
            .map(|(k, v)| format!("{k}={}", sh_quote(v)))
            .collect();
        parts.push(sh_quote(&self.program.to_string_lossy()));
        parts.extend(self.args.iter().map(|a| sh_quote(a)));
        let mut line = parts.join(" ");
        if let Some(s) = &self.stdin {
            line.push_str(" <<'EOF'\n");
            line.push_str(s);
            if !s.ends_with('\n') {
                line.push('\n');
            }
            line.push_str("EOF");
        }
        line
    }
}

/// Quotes `s` for a POSIX shell when it needs it.
#[must_use]
pub fn sh_quote(s: &str) -> String {
    if !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./:=,@%+^".contains(&b))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

impl BuildxBackend {
    /// The metadata file of a run.
    pub(super) fn metadata_path(run: &RunJob) -> PathBuf {
        run.options
            .work_dir
            .join("runs")
            .join(format!("{}.json", run.id))
    }

    /// The exact command of a run, and the definition it reads on standard input.
    #[must_use]
    pub fn command(&self, run: &RunJob) -> (Invocation, Definition) {
        let load_locally = match (&run.config.docker_host, &run.options.local_host) {
            (Some(h), Some(local)) => h != local,
            _ => false,
        };
        let def = definition(&run.builds, &run.options.work_dir, load_locally);
        let mut a: Vec<String> = vec!["buildx".into()];
        if run.options.debug {
            // A global flag of `docker buildx`, before the subcommand.
            a.push("--debug".into());
        }
        a.push("bake".into());
        let flag = |a: &mut Vec<String>, k: &str, v: String| {
            a.push(k.to_string());
            a.push(v);
        };
        flag(&mut a, "--file", "-".into());
        flag(&mut a, "--progress", "rawjson".into());
        flag(
            &mut a,
            "--metadata-file",
            Self::metadata_path(run).to_string_lossy().into_owned(),
        );
        if let Some(b) = Self::project_builder(&run.project, &run.config) {
            flag(&mut a, "--builder", b);
        }
        for e in run.options.allow.iter().chain(&def.grants) {
            flag(&mut a, "--allow", e.clone());
        }
        for p in &run.options.policy {
            flag(&mut a, "--policy", p.clone());
        }
        for t in &def.targets {
            if !t.roles.contains(&Role::Context) {
                a.push(t.name.clone());
            }
        }
        let mut env = Self::project_env(&run.config);
        if !run.options.metadata_provenance {
            env.push(("BUILDX_METADATA_PROVENANCE".into(), "disabled".into()));
        }
        let inv = Invocation {
            program: self.docker.clone(),
            args: a,
            env,
            stdin: Some(def.json.clone()),
        };
        (inv, def)
    }
}
