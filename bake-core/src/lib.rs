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
//! use bake_core::api::frontend::{Config, TargetDef};
//! use bake_core::api::{resolve, ResolveOptions};
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
//! # Ok::<(), bake_core::api::ResolveError>(())
//! ```

#![deny(missing_docs)]

pub mod api;
mod entries;
mod error;
mod explain;
mod fields;
mod go;
mod graph;
mod json;
mod limits;
mod list;
mod map;
mod model;
mod pathmatch;
mod print;
mod project;
mod provenance;
mod resolve;
mod source;
mod util;
mod validate;
