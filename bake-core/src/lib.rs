//! bake-core: the bake model, merging, `--set` overrides, groups and `inherits` resolution,
//! and the `--print` rendering. Frontends (`bake-hcl`, `bake-compose`) produce a
//! [`model::Config`]; this crate turns it into resolved targets.

pub mod model;
pub mod source;
