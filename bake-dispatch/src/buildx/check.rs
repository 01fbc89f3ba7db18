//! Dockerfile checks before a build (`bakery build --lint`): `BuildKit`'s own rules, run on
//! the project's builder as `docker buildx build --call=check,format=json`.

use std::path::Path;
use std::time::Duration;

use super::BuildxBackend;
use crate::config::ProjectConfig;
use bake_core::api::Target;

/// How long the checks may take (they pull the base images' metadata).
const CHECK_LIMIT: Duration = Duration::from_mins(10);

/// A rule the Dockerfile breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LintWarning {
    /// The rule (`StageNameCasing`).
    pub rule: String,
    /// What is wrong, in this Dockerfile.
    pub detail: String,
    /// The rule's documentation.
    pub url: String,
    /// The Dockerfile, as the builder names it.
    pub file: String,
    /// The line (1-based), when known.
    pub line: Option<u64>,
}

/// What the checks found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LintReport {
    /// The Dockerfile checked, as the builder names it.
    pub file: String,
    /// The rules broken.
    pub warnings: Vec<LintWarning>,
    /// An error that stops the build: a Dockerfile that does not parse, or rules the
    /// Dockerfile makes errors (`# check=error=true`); with its line when known.
    pub error: Option<(String, Option<u64>)>,
}

impl LintReport {
    /// Reads the JSON of `--call=check,format=json`.
    ///
    /// # Errors
    /// Text that is not that JSON.
    pub fn parse(json: &str) -> Result<LintReport, String> {
        let v: serde_json::Value =
            serde_json::from_str(json).map_err(|e| format!("unexpected check output: {e}"))?;
        let file = v["sources"][0]["filename"]
            .as_str()
            .unwrap_or("Dockerfile")
            .to_string();
        let line = |loc: &serde_json::Value| loc["ranges"][0]["start"]["line"].as_u64();
        let text = |w: &serde_json::Value, k: &str| w[k].as_str().unwrap_or_default().to_string();
        let warnings = v["warnings"]
            .as_array()
            .map(|ws| {
                ws.iter()
                    .map(|w| LintWarning {
                        rule: text(w, "ruleName"),
                        detail: text(w, "detail"),
                        url: text(w, "url"),
                        file: file.clone(),
                        line: line(&w["location"]),
                    })
                    .collect()
            })
            .unwrap_or_default();
        let error = v
            .get("buildError")
            .filter(|e| !e.is_null())
            .map(|e| (text(e, "message"), line(&e["location"])));
        Ok(LintReport {
            file,
            warnings,
            error,
        })
    }
}

impl BuildxBackend {
    /// Checks the Dockerfile of `target` (a build of project `project`, settings `config`)
    /// on the project's builder.
    ///
    /// # Errors
    /// The builder's message when the check could not run.
    pub async fn check(
        &self,
        project: &str,
        config: &ProjectConfig,
        target: &Target,
    ) -> Result<LintReport, String> {
        let mut args: Vec<String> = vec!["buildx".into()];
        if let Some(n) = Self::project_builder(project, config) {
            args.extend(["--builder".into(), n]);
        }
        args.extend([
            "build".into(),
            "--call=check,format=json".into(),
            "--progress=quiet".into(),
        ]);
        let local = !target.context.contains("://") && !target.context.starts_with("git@");
        match &target.dockerfile_inline {
            Some(_) => args.extend(["-f".into(), "-".into()]),
            None if local && !Path::new(&target.dockerfile).is_absolute() => {
                let f = Path::new(&target.context).join(&target.dockerfile);
                args.extend(["-f".into(), f.to_string_lossy().into_owned()]);
            }
            None => args.extend(["-f".into(), target.dockerfile.clone()]),
        }
        if let Some(t) = &target.target {
            args.extend(["--target".into(), t.clone()]);
        }
        for (k, v) in &target.args {
            if let Some(v) = v {
                args.extend(["--build-arg".into(), format!("{k}={v}")]);
            }
        }
        for (k, v) in &target.contexts {
            args.extend(["--build-context".into(), format!("{k}={v}")]);
        }
        for p in &target.platforms {
            args.extend(["--platform".into(), p.clone()]);
        }
        args.push(target.context.clone());
        let argv: Vec<&str> = args.iter().map(String::as_str).collect();
        let input = target.dockerfile_inline.as_deref().unwrap_or_default();
        let out = self
            .output(&argv, &Self::project_env(config), input, CHECK_LIMIT)
            .await?;
        let stdout = String::from_utf8_lossy(&out.stdout);
        // Warnings make buildx exit 1 with its JSON on stdout; no JSON is a failure to run.
        if stdout.trim_start().starts_with('{') {
            return LintReport::parse(&stdout);
        }
        Err(super::process::last_line(&out.stderr, "the checks failed")
            .trim_start_matches("ERROR: ")
            .to_string())
    }
}
