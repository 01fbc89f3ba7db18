//! The build flags that stand for overrides (`--push`, `--load`, `--sbom`, `--call`, ...).

use crate::entries::Attest;
use crate::error::ResolveError;
use crate::go::{csv_fields, parse_bool};

/// The build flags that turn into `*.key=value` overrides (as `commands/bake.go` does).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Flags {
    /// `--load`: adds `*.load=true` (load the result into Docker).
    pub load: bool,
    /// `--push`: adds `*.push=true` (push the images to their registry).
    pub push: bool,
    /// `--pull`: adds `*.pull=...`; `None` when the flag was not given.
    pub pull: Option<bool>,
    /// `--no-cache`: adds `*.no-cache=...`; `None` when the flag was not given.
    pub no_cache: Option<bool>,
    /// `--provenance`: adds a `type=provenance` attestation (`false` disables it).
    pub provenance: Option<String>,
    /// `--sbom`: adds a `type=sbom` attestation (`false` disables it).
    pub sbom: Option<String>,
    /// `--call`: adds `*.call=...` (`check` becomes `lint`, `build` adds nothing).
    pub call: Option<String>,
    /// `--check`: shorthand for `--call=check`; takes precedence over [`Flags::call`].
    pub check: bool,
}

/// `buildflags.ParseCallFunc`: the call name a `--call` value selects (`check` → `lint`,
/// `build` → none).
pub fn parse_call_func(value: &str) -> Result<Option<String>, ResolveError> {
    if value.is_empty() {
        return Ok(None);
    }
    let bad = |reason: String| ResolveError::CallValue {
        value: value.to_string(),
        reason,
    };
    let fields = csv_fields(value).map_err(bad)?;
    let mut name = String::new();
    for field in fields {
        match field.split_once('=') {
            Some(("format", _)) => {}
            Some(("ignorestatus", v)) => {
                if parse_bool(v).is_none() {
                    return Err(bad(format!("invalid ignorestatus value `{v}`")));
                }
            }
            Some(_) => return Err(bad(format!("invalid field `{field}`"))),
            None => {
                if !name.is_empty() {
                    return Err(bad("more than one call name".to_string()));
                }
                name = field;
            }
        }
    }
    if name == "check" {
        name = "lint".to_string();
    }
    if name == "build" {
        return Ok(None);
    }
    Ok(Some(name))
}

impl Flags {
    /// The overrides the flags stand for, in buildx's order.
    #[must_use]
    pub fn to_overrides(&self) -> Vec<String> {
        self.to_flag_overrides()
            .into_iter()
            .map(|(o, _)| o)
            .collect()
    }

    /// [`Flags::to_overrides`], each with the flag it comes from (`--push`, `--sbom=true`).
    #[must_use]
    pub fn to_flag_overrides(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        if self.push {
            out.push(("*.push=true".to_string(), "--push".to_string()));
        }
        if self.load {
            out.push(("*.load=true".to_string(), "--load".to_string()));
        }
        let call = if self.check {
            Some("check")
        } else {
            self.call.as_deref()
        };
        if let Some(Ok(Some(name))) = call.map(parse_call_func) {
            let flag = if self.check {
                "--check".to_string()
            } else {
                format!("--call={}", self.call.as_deref().unwrap_or_default())
            };
            out.push((format!("*.call={name}"), flag));
        }
        if let Some(v) = self.no_cache {
            out.push((format!("*.no-cache={v}"), format!("--no-cache={v}")));
        }
        if let Some(v) = self.pull {
            out.push((format!("*.pull={v}"), format!("--pull={v}")));
        }
        if let Some(v) = self.sbom.as_deref().filter(|v| !v.is_empty()) {
            out.push((
                format!("*.attest={}", Attest::canonicalize("sbom", v)),
                format!("--sbom={v}"),
            ));
        }
        if let Some(v) = self.provenance.as_deref().filter(|v| !v.is_empty()) {
            out.push((
                format!("*.attest={}", Attest::canonicalize("provenance", v)),
                format!("--provenance={v}"),
            ));
        }
        out
    }
}
