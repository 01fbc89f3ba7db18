//! Typed entries of the compound target fields, parsed as buildx's `util/buildflags` does
//! (from the CSV string form or the object form), with its merge/dedupe rules and its
//! `--print` JSON form.

use std::collections::BTreeMap;

use crate::error::ResolveError;
use crate::go::{csv_fields, csv_quote, parse_bool};
use crate::json::{Json, PrettyWriter};
use crate::model::RawEntry;
use crate::util::remove_dupes_swap;

fn invalid(field: &str, value: &str, reason: impl Into<String>) -> ResolveError {
    ResolveError::InvalidEntry {
        field: field.to_string(),
        value: value.to_string(),
        reason: reason.into(),
    }
}

/// The compact JSON of a map, as go-cty prints an object in an error message.
fn map_text(m: &BTreeMap<String, String>) -> String {
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

fn obj_with_type(attrs: &BTreeMap<String, String>, extra: &[(&str, Json)]) -> Json {
    let mut m: BTreeMap<String, Json> = attrs
        .iter()
        .map(|(k, v)| (k.clone(), Json::str(v.clone())))
        .collect();
    for (k, v) in extra {
        m.insert((*k).to_string(), v.clone());
    }
    Json::Obj(m.into_iter().collect())
}

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

impl CacheEntry {
    /// `CacheOptionsEntry.UnmarshalText`.
    pub fn parse_text(s: &str) -> Result<Self, ResolveError> {
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

    /// `ParseCacheEntry`: empty strings are skipped and a ref-only CSV is one entry a field.
    pub fn parse_list(values: &[String]) -> Result<Vec<Self>, ResolveError> {
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

    /// Parses the entries of a bake file's `cache-from` / `cache-to` list.
    pub fn from_raw(field: &str, raw: &[RawEntry]) -> Result<Vec<Self>, ResolveError> {
        let mut out = Vec::new();
        for r in raw {
            match r {
                RawEntry::Str(s) => out.extend(
                    Self::parse_list(std::slice::from_ref(s)).map_err(|e| rename(e, field))?,
                ),
                RawEntry::Map(m) => {
                    let mut attrs = m.clone();
                    let typ = attrs.remove("type").unwrap_or_default();
                    if typ.is_empty() {
                        return Err(invalid(field, &map_text(m), "type required"));
                    }
                    out.push(CacheEntry { typ, attrs });
                }
            }
        }
        Ok(out)
    }

    /// `CacheOptions.Normalize`.
    #[must_use]
    pub fn normalize(v: Vec<Self>) -> Option<Vec<Self>> {
        if v.is_empty() {
            None
        } else {
            Some(remove_dupes_swap(v))
        }
    }

    /// `CacheOptions.Merge`.
    #[must_use]
    pub fn merge(a: Option<Vec<Self>>, b: Option<Vec<Self>>) -> Option<Vec<Self>> {
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
    #[must_use]
    pub fn to_json(&self) -> Json {
        obj_with_type(&self.attrs, &[("type", Json::str(self.typ.clone()))])
    }
}

fn rename(e: ResolveError, field: &str) -> ResolveError {
    match e {
        ResolveError::InvalidEntry { value, reason, .. } => invalid(field, &value, reason),
        e => e,
    }
}

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
    /// `ExportEntry.UnmarshalText`.
    pub fn parse_text(s: &str) -> Result<Self, ResolveError> {
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

    /// `parseArrValue[ExportEntry]`: empty strings are skipped.
    pub fn parse_list(values: &[String]) -> Result<Vec<Self>, ResolveError> {
        values
            .iter()
            .filter(|v| !v.is_empty())
            .map(|v| Self::parse_text(v))
            .collect()
    }

    /// Parses the entries of a bake file's `output` list.
    pub fn from_raw(raw: &[RawEntry]) -> Result<Vec<Self>, ResolveError> {
        let mut out = Vec::new();
        for r in raw {
            match r {
                RawEntry::Str(s) if s.is_empty() => {}
                RawEntry::Str(s) => out.push(Self::parse_text(s)?),
                RawEntry::Map(m) => {
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
                    out.push(ExportEntry { typ, attrs, dest });
                }
            }
        }
        Ok(out)
    }

    /// `Exports.Normalize`.
    #[must_use]
    pub fn normalize(v: Vec<Self>) -> Option<Vec<Self>> {
        if v.is_empty() {
            None
        } else {
            Some(remove_dupes_swap(v))
        }
    }

    /// `Exports.Merge`.
    #[must_use]
    pub fn merge(a: Option<Vec<Self>>, b: Option<Vec<Self>>) -> Option<Vec<Self>> {
        merge_lists(a, b, Self::normalize)
    }

    /// The `--print` form: attributes plus `type` and `dest` (when set), keys sorted.
    #[must_use]
    pub fn to_json(&self) -> Json {
        let mut extra = vec![("type", Json::str(self.typ.clone()))];
        if !self.dest.is_empty() {
            extra.push(("dest", Json::str(self.dest.clone())));
        }
        obj_with_type(&self.attrs, &extra)
    }

    /// Writes what [`ExportEntry::to_json`] builds: the attributes with `type` and `dest`
    /// (when set) in key order, an extra key replacing an attribute of the same name.
    pub fn write_json(&self, w: &mut PrettyWriter) {
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

impl SecretEntry {
    /// `Secret.UnmarshalText`.
    pub fn parse_text(s: &str) -> Result<Self, ResolveError> {
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

    /// `parseArrValue[Secret]`: empty strings are skipped.
    pub fn parse_list(values: &[String]) -> Result<Vec<Self>, ResolveError> {
        values
            .iter()
            .filter(|v| !v.is_empty())
            .map(|v| Self::parse_text(v))
            .collect()
    }

    /// Parses the entries of a bake file's `secret` list.
    pub fn from_raw(raw: &[RawEntry]) -> Result<Vec<Self>, ResolveError> {
        let mut out = Vec::new();
        for r in raw {
            match r {
                RawEntry::Str(s) if s.is_empty() => {}
                RawEntry::Str(s) => out.push(Self::parse_text(s)?),
                RawEntry::Map(m) => {
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
                    out.push(e);
                }
            }
        }
        Ok(out)
    }

    /// `Secrets.Normalize`: a later entry with the same id replaces the earlier one in place.
    #[must_use]
    pub fn normalize(v: Vec<Self>) -> Option<Vec<Self>> {
        if v.is_empty() {
            return None;
        }
        Some(dedupe_by_key(v, |s| s.id.clone()))
    }

    /// `Secrets.Merge`.
    #[must_use]
    pub fn merge(a: Option<Vec<Self>>, b: Option<Vec<Self>>) -> Option<Vec<Self>> {
        merge_lists(a, b, Self::normalize)
    }

    /// The `--print` form: `id`, `src`, `env` in that order, each when set.
    #[must_use]
    pub fn to_json(&self) -> Json {
        let mut f = Vec::new();
        for (k, v) in [("id", &self.id), ("src", &self.src), ("env", &self.env)] {
            if !v.is_empty() {
                f.push((k.to_string(), Json::str(v.clone())));
            }
        }
        Json::Obj(f)
    }
}

fn dedupe_by_key<T, K: Eq + std::hash::Hash>(v: Vec<T>, key: impl Fn(&T) -> K) -> Vec<T> {
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

/// An `ssh` entry.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SshEntry {
    /// The id the Dockerfile mounts (`RUN --mount=type=ssh,id=...`); `default` when empty.
    pub id: String,
    /// Agent sockets or private key files; empty means `SSH_AUTH_SOCK`.
    pub paths: Vec<String>,
}

impl SshEntry {
    /// `SSH.UnmarshalText`: `id` or `id=path1,path2`.
    #[must_use]
    pub fn parse_text(s: &str) -> Self {
        match s.split_once('=') {
            Some((id, paths)) => SshEntry {
                id: id.to_string(),
                paths: paths.split(',').map(str::to_string).collect(),
            },
            None => SshEntry {
                id: s.to_string(),
                paths: Vec::new(),
            },
        }
    }

    /// `parseArrValue[SSH]`: empty strings are skipped.
    #[must_use]
    pub fn parse_list(values: &[String]) -> Vec<Self> {
        values
            .iter()
            .filter(|v| !v.is_empty())
            .map(|v| Self::parse_text(v))
            .collect()
    }

    /// Parses the entries of a bake file's `ssh` list (in the object form, `paths` is the
    /// comma-separated list of paths).
    pub fn from_raw(raw: &[RawEntry]) -> Result<Vec<Self>, ResolveError> {
        let mut out = Vec::new();
        for r in raw {
            match r {
                RawEntry::Str(s) if s.is_empty() => {}
                RawEntry::Str(s) => out.push(Self::parse_text(s)),
                RawEntry::Map(m) => {
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
                    out.push(e);
                }
            }
        }
        Ok(out)
    }

    /// `SSHKeys.Normalize`.
    #[must_use]
    pub fn normalize(v: Vec<Self>) -> Option<Vec<Self>> {
        if v.is_empty() {
            return None;
        }
        Some(dedupe_by_key(v, |s| s.id.clone()))
    }

    /// `SSHKeys.Merge`.
    #[must_use]
    pub fn merge(a: Option<Vec<Self>>, b: Option<Vec<Self>>) -> Option<Vec<Self>> {
        merge_lists(a, b, Self::normalize)
    }

    /// The `--print` form: `{"id": ..., "paths": [...]}`, each when set.
    #[must_use]
    pub fn to_json(&self) -> Json {
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

/// An `attest` entry.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Attest {
    /// `type`: the attestation kind (`sbom`, `provenance`).
    pub typ: String,
    /// `disabled=true`: turns this attestation off.
    pub disabled: bool,
    /// The other attributes (`mode`, `generator`, `builder-id`, ...).
    pub attrs: BTreeMap<String, String>,
}

impl Attest {
    /// `Attest.UnmarshalText`.
    pub fn parse_text(s: &str) -> Result<Self, ResolveError> {
        let fields = csv_fields(s).map_err(|e| invalid("attest", s, e))?;
        let mut a = Attest::default();
        for field in &fields {
            let Some((k, v)) = field.split_once('=') else {
                return Err(invalid("attest", s, format!("invalid value {field}")));
            };
            match k.trim().to_lowercase().as_str() {
                "type" => a.typ = v.to_string(),
                "disabled" => {
                    a.disabled = parse_bool(v).ok_or_else(|| {
                        invalid("attest", s, format!("invalid value {field}: not a boolean"))
                    })?;
                }
                _ => {
                    a.attrs.insert(k.to_string(), v.to_string());
                }
            }
        }
        if a.typ.is_empty() {
            return Err(invalid("attest", s, "attestation type not specified"));
        }
        Ok(a)
    }

    /// `parseArrValue[Attest]`: empty strings are skipped.
    pub fn parse_list(values: &[String]) -> Result<Vec<Self>, ResolveError> {
        values
            .iter()
            .filter(|v| !v.is_empty())
            .map(|v| Self::parse_text(v))
            .collect()
    }

    /// Parses the entries of a bake file's `attest` list.
    pub fn from_raw(raw: &[RawEntry]) -> Result<Vec<Self>, ResolveError> {
        let mut out = Vec::new();
        for r in raw {
            match r {
                RawEntry::Str(s) if s.is_empty() => {}
                RawEntry::Str(s) => out.push(Self::parse_text(s)?),
                RawEntry::Map(m) => {
                    let mut a = Attest::default();
                    for (k, v) in m {
                        match k.as_str() {
                            "type" => a.typ = v.clone(),
                            "disabled" => {
                                a.disabled = parse_bool(v).ok_or_else(|| {
                                    invalid("attest", &map_text(m), "`disabled` is not a boolean")
                                })?;
                            }
                            _ => {
                                a.attrs.insert(k.clone(), v.clone());
                            }
                        }
                    }
                    out.push(a);
                }
            }
        }
        Ok(out)
    }

    /// `Attests.Normalize`: a later entry of the same type replaces the earlier one in place.
    #[must_use]
    pub fn normalize(v: Vec<Self>) -> Option<Vec<Self>> {
        if v.is_empty() {
            return None;
        }
        Some(dedupe_by_key(v, |a| a.typ.clone()))
    }

    /// `Attests.Merge`.
    #[must_use]
    pub fn merge(a: Option<Vec<Self>>, b: Option<Vec<Self>>) -> Option<Vec<Self>> {
        merge_lists(a, b, Self::normalize)
    }

    /// `CanonicalizeAttest`: `--sbom`/`--provenance` values as an attest CSV.
    #[must_use]
    pub fn canonicalize(typ: &str, value: &str) -> String {
        if value.is_empty() {
            return String::new();
        }
        match parse_bool(value) {
            Some(b) => format!("type={typ},disabled={}", !b),
            None => format!("type={typ},{value}"),
        }
    }

    /// The CSV form (`type=...,disabled=true,k=v`), as `Attest.String`.
    #[must_use]
    pub fn to_csv(&self) -> String {
        let mut parts = Vec::new();
        if !self.typ.is_empty() {
            parts.push(csv_quote(&format!("type={}", self.typ)));
        }
        if self.disabled {
            parts.push("disabled=true".to_string());
        }
        for (k, v) in &self.attrs {
            parts.push(csv_quote(&format!("{k}={v}")));
        }
        parts.join(",")
    }

    /// The `--print` form: attributes plus `type`, and `"disabled": true` when disabled.
    #[must_use]
    pub fn to_json(&self) -> Json {
        let mut extra = vec![("type", Json::str(self.typ.clone()))];
        if self.disabled {
            extra.push(("disabled", Json::Bool(true)));
        }
        obj_with_type(&self.attrs, &extra)
    }
}

/// The `resources` object (cgroup limits for `RUN` steps).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Resources {
    /// `memory`: the memory limit (`512m`).
    pub memory: Option<String>,
    /// `memory-swap`: memory plus swap limit (`1g`, `-1` for unlimited).
    pub memory_swap: Option<String>,
    /// `cpu-shares`: the relative CPU weight.
    pub cpu_shares: Option<i64>,
    /// `cpu-period`: the CFS period in microseconds.
    pub cpu_period: Option<i64>,
    /// `cpu-quota`: the CFS quota in microseconds per period.
    pub cpu_quota: Option<i64>,
    /// `cpuset-cpus`: the CPUs allowed (`0-3`, `0,1`).
    pub cpuset_cpus: Option<String>,
    /// `cpuset-mems`: the memory nodes allowed.
    pub cpuset_mems: Option<String>,
}

/// The keys of the `resources` object.
pub const RESOURCES_KEYS: [&str; 7] = [
    "memory",
    "memory-swap",
    "cpu-shares",
    "cpu-period",
    "cpu-quota",
    "cpuset-cpus",
    "cpuset-mems",
];

fn parse_int(key: &str, value: &str) -> Result<i64, ResolveError> {
    let bad = || ResolveError::InvalidInt {
        key: format!("resources.{key}"),
        value: value.to_string(),
    };
    if let Ok(n) = value.trim().parse::<i64>() {
        return Ok(n);
    }
    // A number written as a float that is whole (a cty number converted to a string).
    match value.trim().parse::<f64>() {
        Ok(f) if f.fract() == 0.0 && f.abs() < 9.2e18 => Ok(f as i64),
        _ => Err(bad()),
    }
}

impl Resources {
    /// `ResourcesConfig.SetField` (used by `--set T.resources.KEY=VALUE`).
    pub fn set_field(&mut self, name: &str, value: &str) -> Result<(), ResolveError> {
        match name {
            "memory" => self.memory = Some(value.to_string()),
            "memory-swap" => self.memory_swap = Some(value.to_string()),
            "cpu-shares" | "cpu-period" | "cpu-quota" => {
                let n = value.parse::<i64>().map_err(|_| ResolveError::InvalidInt {
                    key: format!("resources.{name}"),
                    value: value.to_string(),
                })?;
                match name {
                    "cpu-shares" => self.cpu_shares = Some(n),
                    "cpu-period" => self.cpu_period = Some(n),
                    _ => self.cpu_quota = Some(n),
                }
            }
            "cpuset-cpus" => self.cpuset_cpus = Some(value.to_string()),
            "cpuset-mems" => self.cpuset_mems = Some(value.to_string()),
            _ => {
                return Err(ResolveError::UnknownResourcesKey {
                    key: name.to_string(),
                    help: crate::util::did_you_mean(name, RESOURCES_KEYS),
                })
            }
        }
        Ok(())
    }

    /// Parses the bake file's `resources` object (numbers arrive as decimal strings).
    pub fn from_raw(raw: &RawEntry) -> Result<Self, ResolveError> {
        let m = match raw {
            RawEntry::Map(m) => m,
            RawEntry::Str(s) => {
                return Err(invalid("resources", s, "an object is required"));
            }
        };
        let mut r = Resources::default();
        for (k, v) in m {
            match k.as_str() {
                "cpu-shares" => r.cpu_shares = Some(parse_int(k, v)?),
                "cpu-period" => r.cpu_period = Some(parse_int(k, v)?),
                "cpu-quota" => r.cpu_quota = Some(parse_int(k, v)?),
                _ => r.set_field(k, v)?,
            }
        }
        Ok(r)
    }

    /// `ResourcesConfig.Merge`: fields set in `other` win.
    #[must_use]
    pub fn merge(a: Option<&Self>, other: &Self) -> Self {
        let mut m = a.cloned().unwrap_or_default();
        macro_rules! take {
            ($($f:ident),*) => {$( if other.$f.is_some() { m.$f = other.$f.clone(); } )*};
        }
        take!(
            memory,
            memory_swap,
            cpu_shares,
            cpu_period,
            cpu_quota,
            cpuset_cpus,
            cpuset_mems
        );
        m
    }

    /// The `--print` form, fields in buildx's struct order.
    #[must_use]
    pub fn to_json(&self) -> Json {
        let mut f = Vec::new();
        let s = |v: &Option<String>| v.clone().map(Json::Str);
        let i = |v: &Option<i64>| v.map(Json::Int);
        for (k, v) in [
            ("memory", s(&self.memory)),
            ("memory-swap", s(&self.memory_swap)),
            ("cpu-shares", i(&self.cpu_shares)),
            ("cpu-period", i(&self.cpu_period)),
            ("cpu-quota", i(&self.cpu_quota)),
            ("cpuset-cpus", s(&self.cpuset_cpus)),
            ("cpuset-mems", s(&self.cpuset_mems)),
        ] {
            if let Some(v) = v {
                f.push((k.to_string(), v));
            }
        }
        Json::Obj(f)
    }
}

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

    /// `ParsePolicyConfig`.
    pub fn parse_text(s: &str) -> Result<Self, ResolveError> {
        let fields = csv_fields(s).map_err(|e| invalid("policy", s, e))?;
        Self::from_fields(s, &fields)
    }

    /// Parses the entries of a bake file's `policy` list.
    pub fn from_raw(raw: &[RawEntry]) -> Result<Vec<Self>, ResolveError> {
        let mut out = Vec::new();
        for r in raw {
            match r {
                RawEntry::Str(s) if s.is_empty() => {}
                RawEntry::Str(s) => out.push(Self::parse_text(s)?),
                RawEntry::Map(m) => {
                    let fields: Vec<String> = m
                        .iter()
                        .filter(|(_, v)| !v.is_empty())
                        .map(|(k, v)| format!("{k}={v}"))
                        .collect();
                    out.push(Self::from_fields(&map_text(m), &fields)?);
                }
            }
        }
        Ok(out)
    }

    /// The `--print` form. buildx marshals its Go struct without JSON tags, so the keys are
    /// the Go field names.
    #[must_use]
    pub fn to_json(&self) -> Json {
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

/// buildflags' `Merge` for entry lists: a side that is unset leaves the other as it is; two
/// lists are appended and normalized.
fn merge_lists<T>(
    a: Option<Vec<T>>,
    b: Option<Vec<T>>,
    normalize: fn(Vec<T>) -> Option<Vec<T>>,
) -> Option<Vec<T>> {
    match (a, b) {
        (a, None) => a,
        (None, Some(b)) => Some(b),
        (Some(mut a), Some(b)) => {
            a.extend(b);
            normalize(a)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn cache_forms() {
        let v = CacheEntry::parse_list(&["user/app:cache".into()]).unwrap();
        assert_eq!(v[0].typ, "registry");
        assert_eq!(v[0].attrs, m(&[("ref", "user/app:cache")]));
        let v = CacheEntry::parse_list(&["a,b".into(), "".into()]).unwrap();
        assert_eq!(v.len(), 2);
        assert_eq!(v[1].attrs["ref"], "b");
        let e = CacheEntry::parse_text("type=local,SRC=path").unwrap();
        assert_eq!(e.typ, "local");
        assert_eq!(e.attrs, m(&[("src", "path")]));
        assert!(CacheEntry::parse_text("ref=x,mode=max").is_err());
        assert!(CacheEntry::parse_text("type=gha,novalue").is_err());
        let raw = [RawEntry::Map(m(&[("scope", "main")]))];
        assert!(CacheEntry::from_raw("cache-from", &raw).is_err());
        assert_eq!(
            e.to_json().to_pretty(),
            "{\n  \"src\": \"path\",\n  \"type\": \"local\"\n}"
        );
    }

    #[test]
    fn export_forms() {
        let e = ExportEntry::parse_text("./out").unwrap();
        assert_eq!((e.typ.as_str(), e.dest.as_str()), ("local", "./out"));
        let e = ExportEntry::parse_text("-").unwrap();
        assert_eq!((e.typ.as_str(), e.dest.as_str()), ("tar", "-"));
        let e = ExportEntry::parse_text("type=image,push=true").unwrap();
        assert_eq!(e.attrs, m(&[("push", "true")]));
        assert!(ExportEntry::parse_text("dest=x,a=b").is_err());
        let raw = [
            RawEntry::Str(String::new()),
            RawEntry::Map(m(&[("type", "local"), ("dest", "dist")])),
        ];
        let v = ExportEntry::from_raw(&raw).unwrap();
        assert_eq!(v.len(), 1);
        assert_eq!(
            v[0].to_json().to_pretty(),
            "{\n  \"dest\": \"dist\",\n  \"type\": \"local\"\n}"
        );
    }

    #[test]
    fn secret_forms() {
        let s = SecretEntry::parse_text("id=a,type=env,src=VAR").unwrap();
        assert_eq!(
            s,
            SecretEntry {
                id: "a".into(),
                src: String::new(),
                env: "VAR".into()
            }
        );
        assert!(SecretEntry::parse_text("id=a,bogus=1").is_err());
        assert!(SecretEntry::parse_text("id=a,type=ssh").is_err());
        assert!(SecretEntry::parse_text("id").is_err());
        let merged = SecretEntry::merge(
            Some(vec![
                SecretEntry::parse_text("id=one,env=ONE").unwrap(),
                SecretEntry::parse_text("id=two,env=TWO").unwrap(),
            ]),
            Some(vec![SecretEntry::parse_text("id=two,env=X").unwrap()]),
        )
        .unwrap();
        assert_eq!(merged.len(), 2);
        assert_eq!(merged[1].env, "X");
        assert_eq!(
            merged[0].to_json().to_pretty(),
            "{\n  \"id\": \"one\",\n  \"env\": \"ONE\"\n}"
        );
    }

    #[test]
    fn ssh_forms() {
        let s = SshEntry::parse_text("default");
        assert_eq!(s.id, "default");
        assert!(s.paths.is_empty());
        let s = SshEntry::parse_text("key=a,b");
        assert_eq!(s.paths, vec!["a", "b"]);
        assert_eq!(
            s.to_json().to_pretty(),
            "{\n  \"id\": \"key\",\n  \"paths\": [\n    \"a\",\n    \"b\"\n  ]\n}"
        );
    }

    #[test]
    fn attest_forms() {
        let a = Attest::parse_text("type=provenance,disabled=true").unwrap();
        assert!(a.disabled);
        assert_eq!(
            a.to_json().to_pretty(),
            "{\n  \"disabled\": true,\n  \"type\": \"provenance\"\n}"
        );
        assert!(Attest::parse_text("mode=max").is_err());
        assert!(Attest::parse_text("type=sbom,disabled=maybe").is_err());
        assert_eq!(
            Attest::canonicalize("provenance", "false"),
            "type=provenance,disabled=true"
        );
        assert_eq!(
            Attest::canonicalize("sbom", "generator=x"),
            "type=sbom,generator=x"
        );
        let merged = Attest::merge(
            Some(
                Attest::parse_list(&["type=sbom".into(), "type=provenance,mode=min".into()])
                    .unwrap(),
            ),
            Some(Attest::parse_list(&["type=provenance,mode=max".into()]).unwrap()),
        )
        .unwrap();
        assert_eq!(merged.len(), 2);
        assert_eq!(merged[1].attrs["mode"], "max");
        assert_eq!(merged[1].to_csv(), "type=provenance,mode=max");
    }

    #[test]
    fn resources_forms() {
        let r = Resources::from_raw(&RawEntry::Map(m(&[
            ("memory", "2g"),
            ("cpu-quota", "50000"),
        ])))
        .unwrap();
        assert_eq!(r.cpu_quota, Some(50000));
        assert_eq!(
            r.to_json().to_pretty(),
            "{\n  \"memory\": \"2g\",\n  \"cpu-quota\": 50000\n}"
        );
        assert!(Resources::from_raw(&RawEntry::Map(m(&[("cpu-quota", "1.5")]))).is_err());
        assert!(Resources::from_raw(&RawEntry::Map(m(&[("memroy", "1g")]))).is_err());
        let mut r = Resources::default();
        assert!(r.set_field("cpu-shares", "x").is_err());
        r.set_field("cpu-shares", "512").unwrap();
        let merged = Resources::merge(
            Some(&r),
            &Resources {
                memory: Some("1g".into()),
                ..Default::default()
            },
        );
        assert_eq!(merged.cpu_shares, Some(512));
        assert_eq!(merged.memory.as_deref(), Some("1g"));
    }

    #[test]
    fn policy_forms() {
        let p = PolicyEntry::parse_text("filename=p.rego,strict=true,log-level=warn").unwrap();
        assert_eq!(p.files, vec!["p.rego"]);
        assert_eq!(p.strict, Some(true));
        assert_eq!(p.log_level.as_deref(), Some("warning"));
        assert!(PolicyEntry::parse_text("filename=").is_err());
        assert!(PolicyEntry::parse_text("bogus=1").is_err());
    }

    #[test]
    fn dedupe_swap_order() {
        let a = CacheEntry::parse_text("type=gha").unwrap();
        let b = CacheEntry::parse_text("type=inline").unwrap();
        let c = CacheEntry::parse_text("type=local,src=x").unwrap();
        let v = CacheEntry::normalize(vec![a.clone(), a.clone(), b.clone(), c.clone()]).unwrap();
        assert_eq!(v, vec![a, c, b]);
    }
}
