//! The entry point of the bake stage: [`load`], its options ([`LoadOptions`]) and what it
//! produces ([`Loaded`], [`VariableInfo`]). Public as `bake_hcl::loader`.

use std::collections::BTreeMap;
use std::rc::Rc;

use bake_core::api::frontend::Config;
use bake_core::api::frontend::{Origin, SourceMap};

use super::declarations::Declarations;
use super::lower::read_again;
use super::matrix::matrix_groups;
use super::{BlockRef, BlockType, Loader};
use crate::error::{HclError, Result};
use crate::functions::FnEnv;
use crate::parse::ast::Body;
use crate::parse::fast::BlockReader;

/// Inputs from outside: the environment, `--var` values and builtins. Nothing here is read
/// from the process by this crate.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// The process environment (variable overrides come from here).
    pub env: BTreeMap<String, String>,
    /// `--var NAME=VALUE` overrides (they beat the environment).
    pub vars: BTreeMap<String, String>,
    /// Whether variables may be overridden from the environment
    /// (`BUILDX_BAKE_DISABLE_VARS_ENV_LOOKUP` turns this off).
    pub env_lookup: bool,
    /// Builtin variables (`BAKE_CMD_CONTEXT`, `BAKE_LOCAL_PLATFORM`): strings that cannot be
    /// overridden.
    pub builtins: BTreeMap<String, String>,
    /// What functions may read (clock, home directory, ...).
    pub fn_env: FnEnv,
    /// Record what each target attribute and variable default refers to
    /// ([`Loaded::refs`], for `--explain`).
    pub record_refs: bool,
    /// Whether to render each variable's value into [`VariableInfo::value`] (for
    /// `--list=variables`); rendering every variable of a large file costs time and memory
    /// that nothing else needs.
    pub render_variables: bool,
}

/// A variable as `--list=variables` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VariableInfo {
    /// Its name.
    pub name: String,
    /// Its value rendered as buildx renders it; `None` for null (and when
    /// [`LoadOptions::render_variables`] is off).
    pub value: Option<String>,
    /// Its type constraint, when one was given.
    pub type_name: Option<String>,
    /// Its description.
    pub description: Option<String>,
}

/// What loading produced.
#[derive(Debug, Clone, Default)]
pub struct Loaded {
    /// Groups and targets as written (after matrix expansion).
    pub config: Config,
    /// Every declared variable, sorted by name.
    pub variables: Vec<VariableInfo>,
    /// Where each variable's value came from: its `default` (file span), an environment
    /// variable, a `--var` flag, or nothing (empty/null).
    pub variable_origins: BTreeMap<String, Origin>,
    /// Warnings (unknown attributes and blocks).
    pub warnings: Vec<HclError>,
    /// With [`LoadOptions::record_refs`]: the variables and matrix values used by each target
    /// attribute (keyed by the target's name and the expression's span) and variable default
    /// (keyed by an empty name and the span).
    pub refs: BTreeMap<
        String,
        BTreeMap<bake_core::api::frontend::SpanKey, bake_core::api::frontend::ExprRefs>,
    >,
}

/// Loads HCL/JSON bodies (already parsed, in file order) into the bake model.
///
/// # Errors
/// The first error found, with its span; call [`HclError::attach`] to render it.
pub fn load(bodies: &[Body], sources: &SourceMap, opts: &LoadOptions) -> Result<Loaded> {
    let mentions = bodies.iter().any(|b| b.mentions(&["target", "group"]));
    load_blocks(bodies, Vec::new(), mentions, sources, opts)
}

/// [`load`], taking the bodies: each `target` and `group` block's tree is let go as soon as
/// the block is lowered (when nothing can refer to it later), so that a large file's syntax
/// tree and model are not both held whole.
///
/// # Errors
/// As [`load`].
pub fn load_owned(bodies: Vec<Body>, sources: &SourceMap, opts: &LoadOptions) -> Result<Loaded> {
    load_parsed(
        bodies.into_iter().map(|b| (b, Vec::new())).collect(),
        sources,
        opts,
    )
}

/// [`load_owned`] over bodies read with some blocks deferred (their indices among each
/// body's blocks, `crate::parse::fast::parse_deferring`): each is read again when lowered.
pub(crate) fn load_parsed(
    parsed: Vec<(Body, Vec<usize>)>,
    sources: &SourceMap,
    opts: &LoadOptions,
) -> Result<Loaded> {
    let mut bodies = Vec::with_capacity(parsed.len());
    let mut deferred = Vec::with_capacity(parsed.len());
    for (b, d) in parsed {
        bodies.push(b);
        deferred.push(d);
    }
    let mentions = bodies.iter().any(|b| b.mentions(&["target", "group"]));
    // Out of the bodies, in file order; the declarations of the rest do not depend on them.
    let mut owned = Vec::with_capacity(bodies.iter().map(|b| b.blocks.len()).sum());
    let mut reader = BlockReader::default();
    for (body, deferred) in bodies.iter_mut().zip(deferred) {
        let mut rest = Vec::new();
        let mut next = deferred.into_iter().peekable();
        for (i, b) in std::mem::take(&mut body.blocks).into_iter().enumerate() {
            let later = next.next_if_eq(&i).is_some();
            let ty = match &*b.ident.name {
                "target" => BlockType::Target,
                "group" => BlockType::Group,
                _ => {
                    rest.push(b);
                    continue;
                }
            };
            owned.push((
                ty,
                match (later, mentions) {
                    (false, _) => BlockRef::Owned(Rc::new(b)),
                    (true, false) => BlockRef::Deferred(Rc::new(b)),
                    // Another block refers to blocks: any may be read out of order.
                    (true, true) => BlockRef::Owned(Rc::new(read_again(&mut reader, sources, &b)?)),
                },
            ));
        }
        body.blocks = rest;
    }
    load_blocks(&bodies, owned, mentions, sources, opts)
}

/// [`load`] over `bodies` and the `target` and `group` blocks taken out of them (`owned`, in
/// file order); `mentions`: whether any expression of the files refers to `target` or
/// `group`.
fn load_blocks<'a>(
    bodies: &'a [Body],
    owned: Vec<(BlockType, BlockRef<'a>)>,
    mentions: bool,
    sources: &'a SourceMap,
    opts: &'a LoadOptions,
) -> Result<Loaded> {
    let mut warnings = Vec::new();
    let Declarations {
        variables,
        attributes,
        functions,
        mut blocks,
    } = Declarations::collect(bodies, opts, &mut warnings)?;
    blocks.extend(owned);
    let mut loader = Loader::new(opts, sources, variables, attributes, functions);

    // Every variable, then validations, then functions: errors anywhere fail the load.
    let variables = loader.resolve_variables()?;
    loader.validate()?;
    loader.check_functions()?;

    // Names (matrix expansion) of every block, in order; indexed by name only if
    // something can look them up.
    loader.index_blocks = mentions;
    let expanded = loader.expand_blocks(blocks)?;

    // Evaluate every attribute of every block instance and lower it.
    loader.blocks_allowed = true;
    // Each instance's values are needed after it is lowered only by `target.NAME.FIELD`
    // (and `group.`) references and by `--explain`: without either, they are let go as
    // soon as the instance is lowered.
    let keep_values = opts.record_refs || mentions;
    let mut config = loader.lower_instances(&mut warnings, keep_values)?;
    config.groups.extend(matrix_groups(expanded));

    // Top-level attributes are evaluated last (and fail the load if broken); those not
    // needed so far may still refer to blocks.
    loader.resolve_attributes()?;
    loader.blocks_allowed = false;

    let refs = if opts.record_refs {
        loader.expr_refs()
    } else {
        BTreeMap::new()
    };
    Ok(Loaded {
        config,
        variables,
        variable_origins: loader.var_origins,
        warnings,
        refs,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Loads `text` three ways: borrowed ([`load`]), owned ([`load_owned`]) and with the
    /// blocks that can wait read again when lowered ([`load_parsed`]); and how many blocks
    /// were deferred.
    fn both(text: &str) -> (Loaded, Loaded, Loaded, usize) {
        let mut sources = SourceMap::default();
        let id = sources.add("docker-bake.hcl", text);
        let body = crate::parse(&sources, id, crate::Syntax::Hcl).expect("parses");
        let opts = LoadOptions::default();
        let borrowed = load(std::slice::from_ref(&body), &sources, &opts).expect("loads");
        let owned = load_owned(vec![body], &sources, &opts).expect("loads");
        let parsed =
            crate::parse_deferring(&sources, id, crate::Syntax::Hcl, true).expect("parses");
        let n = parsed.1.len();
        let deferred = load_parsed(vec![parsed], &sources, &opts).expect("loads");
        (borrowed, owned, deferred, n)
    }

    #[test]
    fn owned_bodies_load_the_same() {
        // Plain targets (their bodies let go), a matrix (shared by its cells), a group, an
        // unknown block and attribute (warned once), variables and a function.
        let plain = r#"
variable "TAG" { default = "v1" }
function "img" {
  params = [n]
  result = "acme/${n}:${TAG}"
}
target "base" { args = { A = "1" } }
target "app" {
  inherits = ["base"]
  tags = [img("app")]
  bogus = 1
}
target "m" {
  name = "m-${v}"
  matrix = { v = ["a", "b"] }
  args = { V = v }
}
thing "x" {}
group "default" { targets = ["app", "m"] }
"#;
        // A target that refers to another's field keeps every block.
        let refs = r#"
target "a" { tags = ["x"] }
target "b" { tags = target.a.tags }
"#;
        // In `refs`, `a` is deferred while reading, then read again before loading (`b` refers
        // to blocks).
        for (text, can_wait) in [(plain, 3), (refs, 1)] {
            let (borrowed, owned, deferred, n) = both(text);
            assert_eq!(borrowed.config, owned.config);
            assert_eq!(borrowed.config, deferred.config);
            assert_eq!(n, can_wait, "blocks deferred");
            assert_eq!(
                format!("{:?}", borrowed.warnings),
                format!("{:?}", deferred.warnings)
            );
            assert_eq!(borrowed.warnings.len(), owned.warnings.len());
            assert_eq!(
                borrowed
                    .variables
                    .iter()
                    .map(|v| &v.name)
                    .collect::<Vec<_>>(),
                owned.variables.iter().map(|v| &v.name).collect::<Vec<_>>()
            );
        }
    }

    /// Every HCL file of the corpora and fixtures loads the same (model, warnings, or error)
    /// with its blocks deferred as read whole.
    #[test]
    fn deferred_blocks_load_every_corpus_file_the_same() {
        let files = testdata::files_with_extension("hcl");
        assert!(files.len() > 300, "corpus files found: {}", files.len());
        let mut deferred_any = 0;
        for f in files {
            let Ok(text) = std::fs::read_to_string(&f) else {
                continue;
            };
            let mut sources = SourceMap::default();
            let id = sources.add("docker-bake.hcl", text.as_str());
            let opts = LoadOptions::default();
            let shown = |r: Result<Loaded>| match r {
                Ok(l) => format!("{:?}\n{:?}", l.config, l.warnings),
                Err(e) => format!("error: {e:?}"),
            };
            let whole = crate::parse(&sources, id, crate::Syntax::Hcl)
                .map(|b| shown(load_owned(vec![b], &sources, &opts)));
            let parsed = crate::parse_deferring(&sources, id, crate::Syntax::Hcl, true);
            if parsed.as_ref().is_ok_and(|p| !p.1.is_empty()) {
                deferred_any += 1;
            }
            let deferred = parsed.map(|p| shown(load_parsed(vec![p], &sources, &opts)));
            assert_eq!(
                format!("{whole:?}"),
                format!("{deferred:?}"),
                "{}",
                f.display()
            );
        }
        assert!(
            deferred_any > 100,
            "files with deferred blocks: {deferred_any}"
        );
    }
}
