//! `attest` entries.

use std::collections::BTreeMap;

use super::{dedupe_by_key, obj_with_type};
use super::{invalid, map_text, Entry};
use crate::error::ResolveError;
use crate::go::{csv_fields, csv_quote, parse_bool};
use crate::json::Json;

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
}

impl Entry for Attest {
    /// `Attest.UnmarshalText`.
    fn parse_text(s: &str) -> Result<Self, ResolveError> {
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

    fn from_map(_: &str, m: &BTreeMap<String, String>) -> Result<Self, ResolveError> {
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
        Ok(a)
    }

    /// `Attests.Normalize`: a later entry of the same type replaces the earlier one in place.
    fn normalize(v: Vec<Self>) -> Option<Vec<Self>> {
        if v.is_empty() {
            return None;
        }
        Some(dedupe_by_key(v, |a| a.typ.clone()))
    }

    /// The `--print` form: attributes plus `type`, and `"disabled": true` when disabled.
    fn to_json(&self) -> Json {
        let mut extra = vec![("type", Json::str(self.typ.clone()))];
        if self.disabled {
            extra.push(("disabled", Json::Bool(true)));
        }
        obj_with_type(&self.attrs, &extra)
    }
}
