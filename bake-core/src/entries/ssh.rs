//! `ssh` entries.

use std::collections::BTreeMap;

use super::dedupe_by_key;
use super::{invalid, map_text, Entry};
use crate::error::ResolveError;
use crate::json::Json;

/// An `ssh` entry.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SshEntry {
    /// The id the Dockerfile mounts (`RUN --mount=type=ssh,id=...`); `default` when empty.
    pub id: String,
    /// Agent sockets or private key files; empty means `SSH_AUTH_SOCK`.
    pub paths: Vec<String>,
}

impl Entry for SshEntry {
    /// `SSH.UnmarshalText`: `id` or `id=path1,path2`.
    fn parse_text(s: &str) -> Result<Self, ResolveError> {
        Ok(match s.split_once('=') {
            Some((id, paths)) => SshEntry {
                id: id.to_string(),
                paths: paths.split(',').map(str::to_string).collect(),
            },
            None => SshEntry {
                id: s.to_string(),
                paths: Vec::new(),
            },
        })
    }

    /// The object form: `id`, and `paths` as a comma-separated list.
    fn from_map(_: &str, m: &BTreeMap<String, String>) -> Result<Self, ResolveError> {
        let mut e = SshEntry::default();
        for (k, v) in m {
            match k.as_str() {
                "id" => e.id = v.clone(),
                "paths" if v.is_empty() => {}
                "paths" => e.paths = v.split(',').map(str::to_string).collect(),
                _ => {
                    return Err(invalid(
                        "ssh",
                        &map_text(m),
                        format!("unsupported attribute `{k}`"),
                    ))
                }
            }
        }
        Ok(e)
    }

    /// `SSHKeys.Normalize`.
    fn normalize(v: Vec<Self>) -> Option<Vec<Self>> {
        if v.is_empty() {
            return None;
        }
        Some(dedupe_by_key(v, |s| s.id.clone()))
    }

    /// The `--print` form: `{"id": ..., "paths": [...]}`, each when set.
    fn to_json(&self) -> Json {
        let mut f = Vec::new();
        if !self.id.is_empty() {
            f.push(("id".to_string(), Json::str(self.id.clone())));
        }
        if !self.paths.is_empty() {
            f.push(("paths".to_string(), Json::strs(self.paths.clone())));
        }
        Json::Obj(f)
    }
}
