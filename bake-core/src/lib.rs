//! bake-core: the bake model, merging, `--set` overrides, groups and `inherits` resolution,
//! and the `--print` rendering. Frontends (`bake-hcl`, `bake-compose`) produce a
//! [`model::Config`]; this crate turns it into resolved targets.

#![deny(missing_docs)]

pub mod api;
pub mod config;
pub mod dispatch;
pub mod entries;
pub mod error;
pub mod explain;
pub mod graph;
pub mod json;
pub mod list;
pub mod model;
pub mod pathmatch;
pub mod print;
pub mod project;
pub mod resolve;
pub mod source;
pub mod util;
pub mod validate;

pub use config::{BakeConfig, ConfigError, ProjectConfig};
pub use entries::{Attest, CacheEntry, ExportEntry, PolicyEntry, Resources, SecretEntry, SshEntry};
pub use error::ResolveError;
pub use graph::{BuildGraph, BuildNode, GraphError};
pub use list::{
    parse_list, render_list, ListFormat, ListInput, ListOptions, ListType, VariableInfo,
};
pub use pathmatch::{path_match, BadPattern};
pub use project::{Project, ProjectDefaults, ProjectSource, DEFAULT_PROJECT};
pub use resolve::{
    parse_call_func, resolve, Flags, Group, ResolveOptions, Resolved, Target, OVERRIDE_KEYS,
};
