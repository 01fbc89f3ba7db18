//! Stage 1, parsing: source text to our syntax tree ([`ast`]), which both syntaxes share.
//!
//! - [`fast`]: a hand-written reader for plain, valid HCL files; it gives up on anything else.
//! - [`hcl`]: HCL through `hcl-edit`, which reads everything and words the syntax errors.
//! - [`json`]: HCL's JSON syntax, over [`json_spans`] (a JSON reader that keeps byte spans).
//! - [`template`]: template tokens and HCL's strip and dedent rules, shared by both HCL readers.
//! - [`type_expr`]: type expressions (`list(string)`) read from the tree.
//!
//! The modules are public at their old paths through re-exports in the crate root
//! (`bake_hcl::ast`, `bake_hcl::parse_hcl`, ...).

pub mod ast;
pub mod fast;
pub mod hcl;
pub mod json;
pub mod json_spans;
pub(crate) mod template;
pub mod type_expr;
