//! Typed entries of the compound target fields, parsed as buildx's `util/buildflags` does
//! (from the CSV string form or the object form), with its merge/dedupe rules and its
//! `--print` JSON form.

use std::collections::BTreeMap;

use crate::error::ResolveError;
use crate::json::{Json, PrettyWriter};
use crate::model::RawEntry;

pub(super) fn invalid(field: &str, value: &str, reason: impl Into<String>) -> ResolveError {
    ResolveError::InvalidEntry {
        field: field.to_string(),
        value: value.to_string(),
        reason: reason.into(),
    }
}

/// The compact JSON of a map, as go-cty prints an object in an error message.
pub(super) fn map_text(m: &BTreeMap<String, String>) -> String {
    let mut out = String::from("{");
    for (i, (k, v)) in m.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        crate::json::write_go_string(&mut out, k);
        out.push(':');
        crate::json::write_go_string(&mut out, v);
    }
    out.push('}');
    out
}

pub(super) fn obj_with_type(attrs: &BTreeMap<String, String>, extra: &[(&str, Json)]) -> Json {
    let mut m: BTreeMap<String, Json> = attrs
        .iter()
        .map(|(k, v)| (k.clone(), Json::str(v.clone())))
        .collect();
    for (k, v) in extra {
        m.insert((*k).to_string(), v.clone());
    }
    Json::Obj(m.into_iter().collect())
}

mod attest;
mod cache;
mod export;
mod policy;
mod resources;
mod secret;
mod ssh;
#[cfg(test)]
mod tests;

pub use attest::Attest;
pub use cache::CacheEntry;
pub use export::ExportEntry;
pub use policy::PolicyEntry;
pub use resources::Resources;
pub use secret::SecretEntry;
pub use ssh::SshEntry;

/// The entries of the compound list fields (`attest`, `cache-from`, `cache-to`, `output`,
/// `policy`, `secret`, `ssh`): what each type says for itself, and the rest shared.
pub(crate) trait Entry: Sized + Clone + std::fmt::Debug {
    /// `UnmarshalText`: one entry from its CSV form.
    ///
    /// # Errors
    /// Text buildx cannot parse.
    fn parse_text(s: &str) -> Result<Self, ResolveError>;
    /// One entry from the object form of field `key` (values converted to strings).
    ///
    /// # Errors
    /// An object buildx cannot use.
    fn from_map(key: &str, m: &BTreeMap<String, String>) -> Result<Self, ResolveError>;
    /// `Normalize`: `None` for an empty list, duplicates removed as the type says.
    fn normalize(v: Vec<Self>) -> Option<Vec<Self>>;
    /// The `--print` form.
    fn to_json(&self) -> Json;

    /// `parseArrValue`: `--set` values, empty strings skipped.
    ///
    /// # Errors
    /// A value buildx cannot parse.
    fn parse_list(values: &[String]) -> Result<Vec<Self>, ResolveError> {
        values
            .iter()
            .filter(|v| !v.is_empty())
            .map(|v| Self::parse_text(v))
            .collect()
    }

    /// The list a file wrote for field `key`: strings in the CSV form (empty ones skipped),
    /// objects through [`Entry::from_map`].
    ///
    /// # Errors
    /// An entry buildx cannot parse.
    fn from_raw(key: &str, raw: &[RawEntry]) -> Result<Vec<Self>, ResolveError> {
        let mut out = Vec::new();
        for r in raw {
            match r {
                RawEntry::Str(s) if s.is_empty() => {}
                RawEntry::Str(s) => out.push(Self::parse_text(s)?),
                RawEntry::Map(m) => out.push(Self::from_map(key, m)?),
            }
        }
        Ok(out)
    }

    /// buildflags' `Merge`: a side that is unset leaves the other as it is; two lists are
    /// appended and normalized.
    fn merge(a: Option<Vec<Self>>, b: Option<Vec<Self>>) -> Option<Vec<Self>> {
        match (a, b) {
            (a, None) => a,
            (None, Some(b)) => Some(b),
            (Some(mut a), Some(b)) => {
                a.extend(b);
                Self::normalize(a)
            }
        }
    }

    /// Writes the entry as `--print` does.
    fn write(&self, w: &mut PrettyWriter) {
        w.value(&self.to_json());
    }
}

pub(super) fn dedupe_by_key<T, K: Eq + std::hash::Hash>(
    v: Vec<T>,
    key: impl Fn(&T) -> K,
) -> Vec<T> {
    let mut res: Vec<T> = Vec::new();
    let mut index = std::collections::HashMap::new();
    for item in v {
        let k = key(&item);
        if let Some(&i) = index.get(&k) {
            res[i] = item;
        } else {
            index.insert(k, res.len());
            res.push(item);
        }
    }
    res
}
