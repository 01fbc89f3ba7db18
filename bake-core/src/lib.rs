//! bake-core: the bake model, merging, `--set` overrides, groups and `inherits` resolution,
//! the `--print` rendering, `--explain`, the build graph and projects. Building the graph is
//! `bake-dispatch`'s job; this crate does no process, network or async work.
//! Frontends (`bake-hcl`, `bake-compose`) produce a [`model::Config`]; this crate turns it
//! into resolved targets and builds. Hosts start at [`api`], where everything they need is
//! re-exported.
//!
//! # Example
//!
//! Resolving a definition built in code, with a `--set` override, and printing it exactly as
//! `docker buildx bake --print` does:
//!
//! ```
//! use std::collections::BTreeMap;
//! use bake_core::model::{Config, TargetDef};
//! use bake_core::{resolve, ResolveOptions};
//!
//! let config = Config {
//!     targets: vec![TargetDef {
//!         name: "app".into(),
//!         tags: Some(vec!["acme/app:dev".into()]),
//!         ..TargetDef::default()
//!     }],
//!     ..Config::default()
//! };
//! let env = BTreeMap::new();
//! let resolved = resolve(
//!     &config,
//!     &ResolveOptions {
//!         targets: vec!["app".into()],
//!         overrides: vec!["app.platform=linux/arm64".into()],
//!         flag_overrides: Vec::new(),
//!         env: &env,
//!         cwd: "/src".into(),
//!         file_relative_paths: false,
//!     },
//! )?;
//! let app = &resolved.targets["app"];
//! assert_eq!(app.tags, ["acme/app:dev"]);
//! assert_eq!(app.platforms, ["linux/arm64"]);
//! assert!(resolved.to_print_json().contains("\"linux/arm64\""));
//! # Ok::<(), bake_core::ResolveError>(())
//! ```

#![deny(missing_docs)]

pub mod api;
pub mod entries;
pub mod error;
pub mod explain;
pub mod fields;
pub mod go;
pub mod graph;
pub mod json;
pub mod limits;
pub mod list;
pub mod model;
pub mod pathmatch;
pub mod print;
pub mod project;
pub mod provenance;
pub mod resolve;
pub mod source;
pub mod util;
pub mod validate;

pub use entries::{Attest, CacheEntry, ExportEntry, PolicyEntry, Resources, SecretEntry, SshEntry};
pub use error::ResolveError;
pub use graph::{BuildGraph, BuildNode, GraphError};
pub use list::{
    parse_list, render_list, ListFormat, ListInput, ListOptions, ListType, VariableInfo,
};
pub use pathmatch::{path_match, BadPattern};
pub use project::{Project, ProjectDefaults, ProjectSource, DEFAULT_PROJECT};
pub use resolve::{
    check_overrides, parse_call_func, resolve, Flags, Group, ResolveOptions, Resolved, Target,
    OVERRIDE_KEYS,
};
