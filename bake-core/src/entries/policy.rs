//! `policy` entries (`PolicyConfig`).

use std::collections::BTreeMap;

use super::{invalid, map_text, Entry};
use crate::error::ResolveError;
use crate::go::{csv_fields, parse_bool};
use crate::json::Json;

/// A `policy` entry.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PolicyEntry {
    /// `filename`: the policy files (each `filename=` adds one).
    pub files: Vec<String>,
    /// `reset`: buildx's `PolicyConfig.Reset`; `false` when unset.
    pub reset: bool,
    /// `disabled=true`: turns policy evaluation off.
    pub disabled: bool,
    /// `strict`: buildx's `PolicyConfig.Strict`; `None` when unset.
    pub strict: Option<bool>,
    /// `log-level` (`panic` ... `trace`, `warn` read as `warning`); `None` when unset.
    pub log_level: Option<String>,
}

const LOG_LEVELS: [&str; 7] = [
    "panic", "fatal", "error", "warning", "info", "debug", "trace",
];

impl PolicyEntry {
    fn from_fields(text: &str, fields: &[String]) -> Result<Self, ResolveError> {
        let mut p = PolicyEntry::default();
        for field in fields {
            let bad = || invalid("policy", text, format!("invalid value {field}"));
            let Some((k, v)) = field.split_once('=') else {
                return Err(bad());
            };
            match k.trim().to_lowercase().as_str() {
                "filename" => {
                    if v.is_empty() {
                        return Err(bad());
                    }
                    p.files.push(v.to_string());
                }
                "reset" => p.reset = parse_bool(v).ok_or_else(bad)?,
                "disabled" => p.disabled = parse_bool(v).ok_or_else(bad)?,
                "strict" => p.strict = Some(parse_bool(v).ok_or_else(bad)?),
                "log-level" => {
                    let l = v.to_lowercase();
                    let l = if l == "warn" {
                        "warning".to_string()
                    } else {
                        l
                    };
                    if !LOG_LEVELS.contains(&l.as_str()) {
                        return Err(bad());
                    }
                    p.log_level = Some(l);
                }
                _ => return Err(bad()),
            }
        }
        Ok(p)
    }
}

impl Entry for PolicyEntry {
    /// `ParsePolicyConfig`.
    fn parse_text(s: &str) -> Result<Self, ResolveError> {
        let fields = csv_fields(s).map_err(|e| invalid("policy", s, e))?;
        Self::from_fields(s, &fields)
    }

    fn from_map(_: &str, m: &BTreeMap<String, String>) -> Result<Self, ResolveError> {
        let fields: Vec<String> = m
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        Self::from_fields(&map_text(m), &fields)
    }

    /// Policies are kept as given, never deduplicated.
    fn normalize(v: Vec<Self>) -> Option<Vec<Self>> {
        Some(v)
    }

    /// The `--print` form. buildx marshals its Go struct without JSON tags, so the keys are
    /// the Go field names.
    fn to_json(&self) -> Json {
        let files = if self.files.is_empty() {
            Json::Null
        } else {
            Json::Arr(
                self.files
                    .iter()
                    .map(|f| Json::Obj(vec![("Filename".into(), Json::str(f.clone()))]))
                    .collect(),
            )
        };
        Json::Obj(vec![
            ("Files".into(), files),
            ("Reset".into(), Json::Bool(self.reset)),
            ("Disabled".into(), Json::Bool(self.disabled)),
            ("Strict".into(), self.strict.map_or(Json::Null, Json::Bool)),
            (
                "LogLevel".into(),
                self.log_level.clone().map_or(Json::Null, Json::Str),
            ),
        ])
    }
}
