//! Projects: where each target builds (Depot's `project_id`).
//!
//! A target's project is its own `project_id` (HCL, JSON, or Compose `x-depot.project-id`),
//! else `--project`, else `DEPOT_PROJECT_ID`, else the `id` of a `depot.json` in the working
//! directory, else [`DEFAULT_PROJECT`].

use std::collections::BTreeMap;
use std::path::Path;

use crate::resolve::Target;

/// The project of targets that name none, when no flag, variable or `depot.json` gives one.
pub const DEFAULT_PROJECT: &str = "default";

/// Where a target's project came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ProjectSource {
    /// The target's own `project_id` (or Compose `x-depot.project-id`).
    Target,
    /// The `--project` flag.
    Flag,
    /// The `DEPOT_PROJECT_ID` environment variable.
    Env,
    /// The `id` of `depot.json` in the working directory.
    DepotJson,
    /// Nothing named one.
    Default,
}

impl ProjectSource {
    /// A few words for reports: `project_id`, `--project`, ...
    #[must_use]
    pub fn describe(self) -> &'static str {
        match self {
            ProjectSource::Target => "project_id",
            ProjectSource::Flag => "--project",
            ProjectSource::Env => "DEPOT_PROJECT_ID",
            ProjectSource::DepotJson => "depot.json",
            ProjectSource::Default => "default",
        }
    }
}

/// A target's project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetProject {
    /// The project id.
    pub id: String,
    /// Where it came from.
    pub source: ProjectSource,
}

/// The project of targets that set none, from the invocation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProjectDefaults {
    /// `--project`.
    pub flag: Option<String>,
    /// `DEPOT_PROJECT_ID`.
    pub env: Option<String>,
    /// The `id` of `depot.json` in the working directory.
    pub depot_json: Option<String>,
}

impl ProjectDefaults {
    /// Collects the defaults from the flag, the given environment and `cwd/depot.json`.
    ///
    /// # Errors
    /// A `depot.json` that exists but is not a JSON object with a string `id`.
    pub fn discover(
        flag: Option<&str>,
        env: &BTreeMap<String, String>,
        cwd: &Path,
    ) -> Result<Self, String> {
        let path = cwd.join("depot.json");
        let depot_json = if std::fs::metadata(&path).is_ok() {
            // Regular files only: a FIFO named depot.json must not block the run.
            let text = crate::util::read_regular(&path).map_err(|e| format!("depot.json: {e}"))?;
            parse_depot_json(&text).map_err(|e| format!("depot.json: {e}"))?
        } else {
            None
        };
        Ok(ProjectDefaults {
            flag: flag.filter(|s| !s.is_empty()).map(str::to_string),
            env: env
                .get("DEPOT_PROJECT_ID")
                .filter(|s| !s.is_empty())
                .cloned(),
            depot_json,
        })
    }
}

/// The `id` of a `depot.json` file (`{"id": "abc123"}`); `None` when it has none.
///
/// # Errors
/// Text that is not a JSON object, or an `id` that is not a string.
pub(crate) fn parse_depot_json(text: &str) -> Result<Option<String>, String> {
    let v: serde_json::Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
    let obj = v.as_object().ok_or("expected a JSON object")?;
    match obj.get("id") {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(serde_json::Value::String(s)) if s.is_empty() => Ok(None),
        Some(serde_json::Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err("`id` must be a string".into()),
    }
}

/// The project of `t`.
#[must_use]
pub(crate) fn assign(t: &Target, d: &ProjectDefaults) -> TargetProject {
    let (id, source) = if let Some(p) = t.project_id.as_deref().filter(|p| !p.is_empty()) {
        (p, ProjectSource::Target)
    } else if let Some(p) = &d.flag {
        (p.as_str(), ProjectSource::Flag)
    } else if let Some(p) = &d.env {
        (p.as_str(), ProjectSource::Env)
    } else if let Some(p) = &d.depot_json {
        (p.as_str(), ProjectSource::DepotJson)
    } else {
        (DEFAULT_PROJECT, ProjectSource::Default)
    };
    TargetProject {
        id: id.to_string(),
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn precedence() {
        let mut t = Target::default();
        let mut d = ProjectDefaults::default();
        assert_eq!(assign(&t, &d).id, DEFAULT_PROJECT);
        d.depot_json = Some("j".into());
        assert_eq!(assign(&t, &d).source, ProjectSource::DepotJson);
        d.env = Some("e".into());
        assert_eq!(assign(&t, &d).id, "e");
        d.flag = Some("f".into());
        assert_eq!(assign(&t, &d).id, "f");
        t.project_id = Some("t".into());
        assert_eq!(
            assign(&t, &d),
            TargetProject {
                id: "t".into(),
                source: ProjectSource::Target
            }
        );
    }

    #[test]
    fn depot_json() {
        assert_eq!(parse_depot_json(r#"{"id":"abc"}"#), Ok(Some("abc".into())));
        assert_eq!(parse_depot_json("{}"), Ok(None));
        assert!(parse_depot_json(r#"{"id":1}"#).is_err());
        assert!(parse_depot_json("[").is_err());
    }
}
