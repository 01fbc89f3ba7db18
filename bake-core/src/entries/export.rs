//! `output` entries (`ExportEntry`).

use std::collections::BTreeMap;

use super::{invalid, map_text, obj_with_type, Entry};
use crate::error::ResolveError;
use crate::go::csv_fields;
use crate::json::Json;
use crate::json::PrettyWriter;
use crate::util::remove_dupes_swap;

/// An `output` entry.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ExportEntry {
    /// `type`: the exporter (`image`, `registry`, `docker`, `local`, `tar`, `oci`, `cacheonly`,
    /// ...); a bare path is `local`, `-` is `tar`.
    pub typ: String,
    /// The other `key=value` attributes (`name`, `push`, `compression`, ...).
    pub attrs: BTreeMap<String, String>,
    /// `dest`: where a file or directory exporter writes; empty when unset.
    pub dest: String,
}

impl ExportEntry {
    /// Writes what `to_json` builds: the attributes with `type` and `dest`
    /// (when set) in key order, an extra key replacing an attribute of the same name.
    pub(crate) fn write_json(&self, w: &mut PrettyWriter) {
        let both = [("dest", self.dest.as_str()), ("type", self.typ.as_str())];
        let extra = if self.dest.is_empty() {
            &both[1..]
        } else {
            &both[..]
        };
        let mut next = 0;
        w.open('{');
        for (k, v) in &self.attrs {
            let mut replaced = false;
            while let Some(&(ek, ev)) = extra.get(next).filter(|(ek, _)| *ek <= k.as_str()) {
                replaced |= ek == k;
                w.raw_key(ek);
                w.str(ev);
                next += 1;
            }
            if !replaced {
                w.key(k);
                w.str(v);
            }
        }
        for &(ek, ev) in &extra[next..] {
            w.raw_key(ek);
            w.str(ev);
        }
        w.close('}');
    }
}

impl Entry for ExportEntry {
    /// `ExportEntry.UnmarshalText`.
    fn parse_text(s: &str) -> Result<Self, ResolveError> {
        let fields = csv_fields(s).map_err(|e| invalid("output", s, e))?;
        let mut e = ExportEntry::default();
        if fields.len() == 1 && fields[0] == s && !s.starts_with("type=") {
            e.typ = if s == "-" { "tar" } else { "local" }.to_string();
            e.dest = s.to_string();
            return Ok(e);
        }
        for field in &fields {
            let Some((k, v)) = field.split_once('=') else {
                return Err(invalid("output", s, format!("invalid value {field}")));
            };
            match k.trim().to_lowercase().as_str() {
                "type" => e.typ = v.to_string(),
                "dest" => e.dest = v.to_string(),
                key => {
                    e.attrs.insert(key.to_string(), v.to_string());
                }
            }
        }
        if e.typ.is_empty() {
            return Err(invalid("output", s, "type is required for output"));
        }
        Ok(e)
    }

    fn from_map(_: &str, m: &BTreeMap<String, String>) -> Result<Self, ResolveError> {
        let mut attrs = m.clone();
        let typ = attrs.remove("type").unwrap_or_default();
        let dest = attrs.remove("dest").unwrap_or_default();
        if typ.is_empty() {
            return Err(invalid(
                "output",
                &map_text(m),
                "type is required for output",
            ));
        }
        Ok(ExportEntry { typ, attrs, dest })
    }

    /// `Exports.Normalize`.
    fn normalize(v: Vec<Self>) -> Option<Vec<Self>> {
        if v.is_empty() {
            None
        } else {
            Some(remove_dupes_swap(v))
        }
    }

    /// The `--print` form: attributes plus `type` and `dest` (when set), keys sorted.
    fn to_json(&self) -> Json {
        let mut extra = vec![("type", Json::str(self.typ.clone()))];
        if !self.dest.is_empty() {
            extra.push(("dest", Json::str(self.dest.clone())));
        }
        obj_with_type(&self.attrs, &extra)
    }

    fn write(&self, w: &mut PrettyWriter) {
        self.write_json(w);
    }
}
