//! Stage 3, bake semantics over evaluated HCL: variables, user functions, `target` and
//! `group` blocks with `matrix` and `name`, lazy `target.NAME.FIELD` references, and lowering
//! into bake-core's model. [`loader`] is the entry point (public as `bake_hcl::loader`).

pub mod loader;
