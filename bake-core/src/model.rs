//! The bake model as the frontends produce it: groups and targets with every field optional,
//! exactly as written in one file (before merge, inherits, overrides and defaults).
//!
//! This is the contract between the frontends (`bake-hcl`, `bake-compose`) and the engine.

use std::collections::BTreeMap;

use crate::source::Origin;

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

/// A target as written in one file; `None` means "not set here".
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TargetDef {
    /// The target's name (its block label, or the matrix-expanded name).
    pub name: String,
    pub description: Option<String>,
    pub inherits: Option<Vec<String>>,
    pub annotations: Option<Vec<String>>,
    pub attest: Option<Vec<RawEntry>>,
    pub context: Option<String>,
    pub contexts: Option<BTreeMap<String, String>>,
    pub dockerfile: Option<String>,
    pub dockerfile_inline: Option<String>,
    /// `None` values are args written as `null` (they do not override an inherited value).
    pub args: Option<BTreeMap<String, Option<String>>>,
    pub labels: Option<BTreeMap<String, Option<String>>>,
    pub tags: Option<Vec<String>>,
    pub cache_from: Option<Vec<RawEntry>>,
    pub cache_to: Option<Vec<RawEntry>>,
    pub target: Option<String>,
    pub secret: Option<Vec<RawEntry>>,
    pub ssh: Option<Vec<RawEntry>>,
    pub platforms: Option<Vec<String>>,
    pub output: Option<Vec<RawEntry>>,
    pub pull: Option<bool>,
    pub no_cache: Option<bool>,
    pub network: Option<String>,
    pub no_cache_filter: Option<Vec<String>>,
    pub shm_size: Option<String>,
    pub ulimits: Option<Vec<String>>,
    pub resources: Option<RawEntry>,
    pub call: Option<String>,
    pub entitlements: Option<Vec<String>>,
    pub extra_hosts: Option<BTreeMap<String, Option<String>>>,
    pub policy: Option<Vec<RawEntry>>,
    /// Depot extension: the project this target builds in.
    pub project_id: Option<String>,
    /// The directory of the file that defined the target, relative to the working directory
    /// (`BUILDX_BAKE_FILE_RELATIVE_PATHS=1` rebases paths onto it); `None` for stdin.
    pub file_dir: Option<String>,
    /// Where each field that was set came from, by print key (`"tags"`, `"args"`, ...).
    /// Empty unless the frontend records origins; costs nothing when unused.
    pub origins: BTreeMap<&'static str, Origin>,
}

/// Everything the frontends read from all files, in file order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Config {
    pub groups: Vec<GroupDef>,
    pub targets: Vec<TargetDef>,
}
