//! bake: read `docker buildx bake` definitions exactly as buildx does, from a host program.
//!
//! This crate is [`bake_core::api`] with the two frontends registered (Compose, then HCL and
//! HCL-JSON, in buildx's order) and the diagnostics rendered as the `bake` command renders
//! them. Nothing here reads the process environment, prints or exits: the host passes the
//! environment, working directory and clock in. Building the resolved targets is
//! `bake_dispatch`'s job.
//!
//! ```no_run
//! use std::collections::BTreeMap;
//!
//! let env: BTreeMap<String, String> = std::env::vars().collect();
//! let project = bake::discover("/src", env).load()?; // docker-bake.hcl, compose.yaml, ...
//! let resolved = project.resolve_request(&bake::Request {
//!     targets: vec!["app".into()],
//!     overrides: vec!["app.platform=linux/arm64".into()],
//!     flags: bake::Flags { push: true, ..bake::Flags::default() },
//! })?;
//! print!("{}", resolved.to_print_json()); // what `docker buildx bake --print` prints
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![deny(missing_docs)]

mod report;

use std::collections::BTreeMap;
use std::path::PathBuf;

pub use bake_core::api::*;
pub use report::Reporter;

pub use bake_compose::ComposeFrontend;
pub use bake_hcl::HclFrontend;

/// [`Bake::discover`] with the frontends registered: the files `docker buildx bake` would
/// read in `cwd` (`-f` files added with [`Bake::file`], else `BUILDX_BAKE_FILE`, else the
/// default names), with the environment `env`.
pub fn discover<'i>(cwd: impl Into<PathBuf>, env: BTreeMap<String, String>) -> Bake<'i> {
    Bake::discover(cwd, env)
        .frontend(ComposeFrontend)
        .frontend(HclFrontend)
}

/// [`Bake::new`] with the frontends registered: only the files and sources given.
pub fn new<'i>(cwd: impl Into<PathBuf>) -> Bake<'i> {
    Bake::new(cwd)
        .frontend(ComposeFrontend)
        .frontend(HclFrontend)
}
