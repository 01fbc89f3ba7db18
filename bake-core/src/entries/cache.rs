//! `cache-from` / `cache-to` entries (`CacheOptionsEntry`).

use std::collections::BTreeMap;

use super::{invalid, map_text, obj_with_type, Entry};
use crate::error::ResolveError;
use crate::go::csv_fields;
use crate::json::Json;
use crate::model::RawEntry;
use crate::util::remove_dupes_swap;

/// A `cache-from` / `cache-to` entry.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CacheEntry {
    /// `type`: the cache backend (`registry`, `local`, `gha`, `s3`, `inline`, ...); a bare
    /// reference is `registry`.
    pub typ: String,
    /// The other `key=value` attributes (`ref`, `mode`, `src`, ...), keys lowercased in the CSV
    /// form.
    pub attrs: BTreeMap<String, String>,
}

impl Entry for CacheEntry {
    /// `CacheOptionsEntry.UnmarshalText`.
    fn parse_text(s: &str) -> Result<Self, ResolveError> {
        let fields = csv_fields(s).map_err(|e| invalid("cache", s, e))?;
        if fields.len() == 1 && !fields[0].contains('=') {
            return Ok(CacheEntry {
                typ: "registry".into(),
                attrs: BTreeMap::from([("ref".to_string(), fields[0].clone())]),
            });
        }
        let mut e = CacheEntry::default();
        for field in &fields {
            let Some((k, v)) = field.split_once('=') else {
                return Err(invalid("cache", s, format!("invalid value {field}")));
            };
            let key = k.to_lowercase();
            if key == "type" {
                e.typ = v.to_string();
            } else {
                e.attrs.insert(key, v.to_string());
            }
        }
        if e.typ.is_empty() {
            return Err(invalid("cache", s, "type required"));
        }
        Ok(e)
    }

    fn from_map(key: &str, m: &BTreeMap<String, String>) -> Result<Self, ResolveError> {
        let mut attrs = m.clone();
        let typ = attrs.remove("type").unwrap_or_default();
        if typ.is_empty() {
            return Err(invalid(key, &map_text(m), "type required"));
        }
        Ok(CacheEntry { typ, attrs })
    }

    /// `ParseCacheEntry`: empty strings are skipped and a ref-only CSV is one entry a field.
    fn parse_list(values: &[String]) -> Result<Vec<Self>, ResolveError> {
        let mut out = Vec::new();
        for v in values {
            if v.is_empty() {
                continue;
            }
            if !v.contains('=') {
                for f in csv_fields(v).map_err(|e| invalid("cache", v, e))? {
                    out.push(Self::parse_text(&f)?);
                }
                continue;
            }
            out.push(Self::parse_text(v)?);
        }
        Ok(out)
    }

    /// A file's list: a string is parsed as `--set` values are (a ref-only CSV is one entry
    /// a field), with the field's own name in errors.
    fn from_raw(key: &str, raw: &[RawEntry]) -> Result<Vec<Self>, ResolveError> {
        let mut out = Vec::new();
        for r in raw {
            match r {
                RawEntry::Str(s) => out
                    .extend(Self::parse_list(std::slice::from_ref(s)).map_err(|e| rename(e, key))?),
                RawEntry::Map(m) => out.push(Self::from_map(key, m)?),
            }
        }
        Ok(out)
    }

    /// `CacheOptions.Normalize`.
    fn normalize(v: Vec<Self>) -> Option<Vec<Self>> {
        if v.is_empty() {
            None
        } else {
            Some(remove_dupes_swap(v))
        }
    }

    /// `CacheOptions.Merge`.
    fn merge(a: Option<Vec<Self>>, b: Option<Vec<Self>>) -> Option<Vec<Self>> {
        match (a, b) {
            (a, None) => a.and_then(Self::normalize),
            (None, Some(b)) => Self::normalize(b),
            (Some(mut a), Some(b)) => {
                a.extend(b);
                Self::normalize(a)
            }
        }
    }

    /// The `--print` form: the attributes plus `type`, keys sorted.
    fn to_json(&self) -> Json {
        obj_with_type(&self.attrs, &[("type", Json::str(self.typ.clone()))])
    }
}

fn rename(e: ResolveError, field: &str) -> ResolveError {
    match e {
        ResolveError::InvalidEntry { value, reason, .. } => invalid(field, &value, reason),
        e => e,
    }
}
