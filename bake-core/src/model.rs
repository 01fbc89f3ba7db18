//! The bake model as the frontends produce it: groups and targets with every field optional,
//! exactly as written in one file (before merge, inherits, overrides and defaults).
//!
//! This is the contract between the frontends (`bake-hcl`, `bake-compose`) and the engine.

use std::collections::BTreeMap;

/// A string-or-object entry as written in a bake file for the compound fields (`cache-from`,
/// `cache-to`, `output`, `secret`, `ssh`, `attest`, `policy`, `resources`): either the CSV
/// string form (`type=registry,ref=x`) or an object whose values were converted to strings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RawEntry {
    /// `"type=registry,ref=user/app"`
    Str(String),
    /// `{ type = "registry", ref = "user/app" }` (values converted to strings; null values
    /// are left out)
    Map(BTreeMap<String, String>),
}

/// A group as written.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GroupDef {
    /// The group's name (its block label).
    pub name: String,
    /// `description`
    pub description: Option<String>,
    /// `targets`
    pub targets: Vec<String>,
}

pub use crate::fields::TargetDef;

/// Everything the frontends read from all files, in file order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Config {
    /// The groups in file order; a later group of the same name replaces an earlier one.
    pub groups: Vec<GroupDef>,
    /// The target definitions in file order; definitions of the same name are merged in order.
    pub targets: Vec<TargetDef>,
}
