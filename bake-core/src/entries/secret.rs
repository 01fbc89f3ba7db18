//! `secret` entries.

use std::collections::BTreeMap;

use super::dedupe_by_key;
use super::{invalid, map_text, Entry};
use crate::error::ResolveError;
use crate::go::csv_fields;
use crate::json::Json;

/// A `secret` entry.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SecretEntry {
    /// `id`: the id the Dockerfile mounts (`RUN --mount=type=secret,id=...`).
    pub id: String,
    /// `src` (or `source`): the file the secret is read from; empty when unset.
    pub src: String,
    /// `env`: the environment variable the secret is read from (also `type=env,src=VAR`);
    /// empty when unset. With neither `src` nor `env`, the id names a variable or else a file.
    pub env: String,
}

impl Entry for SecretEntry {
    /// `Secret.UnmarshalText`.
    fn parse_text(s: &str) -> Result<Self, ResolveError> {
        let fields = csv_fields(s).map_err(|e| invalid("secret", s, e))?;
        let mut e = SecretEntry::default();
        let mut typ = String::new();
        for field in &fields {
            let Some((k, v)) = field.split_once('=') else {
                return Err(invalid(
                    "secret",
                    s,
                    format!("invalid field `{field}` must be a key=value pair"),
                ));
            };
            match k.to_lowercase().as_str() {
                "type" => {
                    if v != "file" && v != "env" {
                        return Err(invalid(
                            "secret",
                            s,
                            format!("unsupported secret type `{v}`"),
                        ));
                    }
                    typ = v.to_string();
                }
                "id" => e.id = v.to_string(),
                "source" | "src" => e.src = v.to_string(),
                "env" => e.env = v.to_string(),
                key => {
                    return Err(invalid(
                        "secret",
                        s,
                        format!("unexpected key `{key}` in `{field}`"),
                    ))
                }
            }
        }
        if typ == "env" && e.env.is_empty() {
            e.env = std::mem::take(&mut e.src);
        }
        Ok(e)
    }

    fn from_map(_: &str, m: &BTreeMap<String, String>) -> Result<Self, ResolveError> {
        let mut e = SecretEntry::default();
        for (k, v) in m {
            match k.as_str() {
                "id" => e.id = v.clone(),
                "src" => e.src = v.clone(),
                "env" => e.env = v.clone(),
                _ => {
                    return Err(invalid(
                        "secret",
                        &map_text(m),
                        format!("unsupported attribute `{k}`"),
                    ))
                }
            }
        }
        Ok(e)
    }

    /// `Secrets.Normalize`: a later entry with the same id replaces the earlier one in place.
    fn normalize(v: Vec<Self>) -> Option<Vec<Self>> {
        if v.is_empty() {
            return None;
        }
        Some(dedupe_by_key(v, |s| s.id.clone()))
    }

    /// The `--print` form: `id`, `src`, `env` in that order, each when set.
    fn to_json(&self) -> Json {
        let mut f = Vec::new();
        for (k, v) in [("id", &self.id), ("src", &self.src), ("env", &self.env)] {
            if !v.is_empty() {
                f.push((k.to_string(), Json::str(v.clone())));
            }
        }
        Json::Obj(f)
    }
}
