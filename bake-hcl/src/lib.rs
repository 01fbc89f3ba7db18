//! bake-hcl: HCL and HCL-JSON bake files, evaluated with go-cty semantics.
//!
//! [`load`] takes the parsed files of one invocation (all HCL and JSON files are evaluated
//! together, as buildx merges them) and produces the bake model plus variable metadata.
//!
//! # Layout
//!
//! The modules follow the pipeline, a folder per stage:
//!
//! 1. `parse/`: source text to a syntax tree with spans, for HCL (a fast reader for plain
//!    files, hcl-edit for the rest and for syntax errors) and HCL's JSON syntax. Its modules
//!    are public as [`ast`], [`parse_hcl`], [`parse_json`], [`jsonspan`] and [`typeexpr`].
//! 2. [`eval`]: expressions to [`value`]s with go-cty's semantics, over go-cty's
//!    [`number`]s and the builtin [`functions`].
//! 3. `bake/`: bake's semantics (variables and their overrides, user functions, `matrix`,
//!    `target.NAME.FIELD` references) and the lowering into bake-core's model; its entry
//!    point is [`loader`].
//!
//! Beside them: [`error`], [`limits`], [`json`] (values to and from JSON) and [`frontend`]
//! (the [`HclFrontend`] that plugs all this into bake-core).
//!
//! # Example
//!
//! ```
//! use bake_core::api::frontend::SourceMap;
//! use bake_hcl::{load, parse, LoadOptions, Syntax};
//!
//! let mut sources = SourceMap::default();
//! let id = sources.add(
//!     "docker-bake.hcl",
//!     r#"
//! variable "TAG" {
//!   default = "1.0"
//! }
//!
//! target "app" {
//!   tags = ["example/app:${TAG}", "example/app:latest"]
//! }
//! "#,
//! );
//! let body = parse(&sources, id, Syntax::Hcl)?;
//! // Variable values are rendered only when asked (for `--list=variables`).
//! let opts = LoadOptions { render_variables: true, ..LoadOptions::default() };
//! let loaded = load(&[body], &sources, &opts)?;
//!
//! let app = &loaded.config.targets[0];
//! assert_eq!(app.name, "app");
//! assert_eq!(
//!     app.tags.as_deref(),
//!     Some(&["example/app:1.0".to_string(), "example/app:latest".to_string()][..])
//! );
//! assert_eq!(loaded.variables[0].value.as_deref(), Some("1.0"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![deny(missing_docs)]

mod bake;
pub mod error;
pub mod eval;
pub mod frontend;
pub mod functions;
pub mod json;
pub mod limits;
pub mod number;
mod parse;
pub mod value;

// Stage modules at their public paths.
pub use bake::loader;
pub use parse::ast;
#[doc(hidden)]
pub use parse::fast as fastparse;
pub use parse::hcl as parse_hcl;
pub use parse::json as parse_json;
pub use parse::json_spans as jsonspan;
pub use parse::type_expr as typeexpr;

pub use error::{ErrorKind, HclError};
pub use frontend::HclFrontend;
pub use loader::{load, load_owned, LoadOptions, Loaded, VariableInfo};

use bake_core::api::frontend::{SourceId, SourceMap};

/// The syntax of a bake file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    /// HCL native syntax.
    Hcl,
    /// HCL's JSON syntax.
    Json,
}

/// Parses one source.
///
/// # Errors
/// A syntax error with its location.
pub fn parse(
    sources: &SourceMap,
    id: SourceId,
    syntax: Syntax,
) -> Result<ast::Body, Box<HclError>> {
    parse_deferring(sources, id, syntax, false).map(|(body, _)| body)
}

/// [`parse`] for [`load_owned`]'s frontend: with `defer`, the bodies of the blocks that can
/// wait are let go and read again when lowered (`parse::fast::parse_deferring`); returns
/// their indices among the file's blocks.
fn parse_deferring(
    sources: &SourceMap,
    id: SourceId,
    syntax: Syntax,
    defer: bool,
) -> Result<(ast::Body, Vec<usize>), Box<HclError>> {
    let text = &sources.get(id).text;
    match syntax {
        // The fast reader handles plain valid files; hcl-edit does the rest and the errors.
        Syntax::Hcl => match parse::fast::parse_deferring(id, text, defer) {
            Some(parsed) => Ok(parsed),
            None => parse::hcl::parse(id, text).map(|b| (b, Vec::new())),
        },
        Syntax::Json => parse::json::parse(id, text).map(|b| (b, Vec::new())),
    }
}
