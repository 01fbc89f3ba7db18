//! Stage 3, bake semantics over evaluated HCL: variables (with environment overrides and
//! validation), user functions, `target` and `group` blocks with `matrix` and `name`, lazy
//! `target.NAME.FIELD` references with cycle detection, and lowering into bake-core's model.
//!
//! Evaluation is demand-driven: nothing is evaluated in file order; a value is computed the
//! first time something needs it, and remembered. A [`Loader`] holds that state for one load
//! and is the evaluator's [`Env`](crate::eval::Env). Its methods are grouped by concern:
//!
//! - [`loader`]: the entry point, [`loader::load`] (public as `bake_hcl::loader`), in steps;
//! - `declarations`: the bodies sorted into variables, functions, attributes and blocks;
//! - `variables`: variables and top-level attributes, with the environment and `--var`
//!   overriding defaults (`overrides` turns an override's text into a value) and validations;
//! - `user_functions`: `function` blocks: the recursion check and calls;
//! - `matrix`: `matrix` and `name`, one block instance per matrix cell;
//! - `blocks`: the attributes of block instances, each evaluated once, and
//!   `target.NAME.FIELD` references;
//! - `lower`: block instances to bake-core's `TargetDef` and `GroupDef`;
//! - `refs`: what each expression refers to (for `--explain`);
//! - `env`: the [`Env`](crate::eval::Env) implementation over all of the above.

mod blocks;
mod declarations;
mod env;
pub mod loader;
mod lower;
mod matrix;
mod overrides;
mod refs;
mod user_functions;
mod variables;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::rc::Rc;
use std::sync::Arc;

use bake_core::api::frontend::{Origin, SourceMap};
use indexmap::IndexMap;

use crate::parse::ast::{Attr, Block, Span};
use crate::value::{Type, Value};
use declarations::{FunctionDecl, VariableDecl};
use loader::LoadOptions;

/// The blocks that make bake's model.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
enum BlockType {
    Target,
    Group,
}

impl BlockType {
    fn as_str(self) -> &'static str {
        match self {
            BlockType::Target => "target",
            BlockType::Group => "group",
        }
    }
}

/// A remembered value: being computed (asking for it again is a cycle), or done.
enum Slot {
    InProgress,
    Done(Value),
}

/// A `target` or `group` block: borrowed from the caller's bodies, or owned by the load
/// ([`loader::load_owned`]), which lets its body go once it is lowered.
/// A deferred one ([`crate::parse::fast::parse_deferring`]) has its labels and spans and an
/// empty body until [`Loader::lower_instances`] reads it again.
#[derive(Clone)]
enum BlockRef<'a> {
    Borrowed(&'a Block),
    Owned(Rc<Block>),
    Deferred(Rc<Block>),
}

impl std::ops::Deref for BlockRef<'_> {
    type Target = Block;

    fn deref(&self) -> &Block {
        match self {
            BlockRef::Borrowed(b) => b,
            BlockRef::Owned(b) | BlockRef::Deferred(b) => b,
        }
    }
}

impl BlockRef<'_> {
    /// Whether both are the same block (the cells of one matrix are).
    fn same(&self, other: &BlockRef<'_>) -> bool {
        let (a, b): (&Block, &Block) = (self, other);
        std::ptr::eq(a, b)
    }
}

/// One `target` or `group` as it will be lowered: a block, or one cell of its matrix.
struct BlockInstance<'a> {
    ty: BlockType,
    block: BlockRef<'a>,
    /// The matrix values of the cell (empty without a matrix).
    locals: Vec<(Arc<str>, Value)>,
    name: String,
    /// Evaluated attributes, by position in the block body (empty until the first).
    attrs: Vec<Option<Slot>>,
}

/// [`Loader::eval_context`] inside user functions, where buildx's per-context rules are not
/// tracked.
const IN_USER_FUNCTION: Option<usize> = Some(usize::MAX);

/// The state of one load: the declarations, every value computed so far, the block instances
/// and what is being evaluated (for cycle messages and buildx's per-context rules).
struct Loader<'a> {
    opts: &'a LoadOptions,
    sources: &'a SourceMap,
    vars: IndexMap<String, VariableDecl<'a>>,
    /// Top-level attributes; one named like a variable gives that variable its value.
    attrs: IndexMap<String, &'a Attr>,
    funcs: IndexMap<String, FunctionDecl<'a>>,
    /// Variable and top-level attribute values.
    values: HashMap<String, Slot>,
    /// The declared types of the variables that have one.
    var_types: HashMap<String, Type>,
    /// The variables being computed, outermost first (for cycle messages).
    var_stack: Vec<String>,
    /// Whether `target.NAME.FIELD` may be used (in blocks, not in variables).
    blocks_allowed: bool,
    instances: Vec<BlockInstance<'a>>,
    /// The instances by block type and name, for `target.NAME` / `group.NAME` references;
    /// filled only when some expression refers to blocks ([`Loader::index_blocks`]).
    instances_by_name: HashMap<(BlockType, String), Vec<usize>>,
    /// Whether any expression of the files refers to `target` or `group`.
    index_blocks: bool,
    /// The block attributes being computed, as (instance, attribute index), outermost first.
    attr_stack: Vec<(usize, usize)>,
    /// The evaluation context buildx would use: `None` for the global one, the instance for
    /// a matrix cell, [`IN_USER_FUNCTION`] inside user functions.
    eval_context: Option<usize>,
    /// The type keywords used in `convert` calls, by context.
    keywords_seen: HashSet<(Option<usize>, String)>,
    /// Expressions evaluated so far ([`crate::limits::MAX_EVAL_STEPS`]).
    steps: u64,
    var_origins: BTreeMap<String, Origin>,
}

impl<'a> Loader<'a> {
    /// A loader over these declarations, before anything is evaluated.
    fn new(
        opts: &'a LoadOptions,
        sources: &'a SourceMap,
        vars: IndexMap<String, VariableDecl<'a>>,
        attrs: IndexMap<String, &'a Attr>,
        funcs: IndexMap<String, FunctionDecl<'a>>,
    ) -> Loader<'a> {
        Loader {
            opts,
            sources,
            vars,
            attrs,
            funcs,
            values: HashMap::new(),
            var_types: HashMap::new(),
            var_stack: Vec::new(),
            blocks_allowed: false,
            instances: Vec::new(),
            instances_by_name: HashMap::new(),
            index_blocks: true,
            attr_stack: Vec::new(),
            eval_context: None,
            keywords_seen: HashSet::new(),
            steps: 0,
            var_origins: BTreeMap::new(),
        }
    }
}

/// A span as bake-core has it.
fn to_core_span(s: Span) -> bake_core::api::frontend::Span {
    bake_core::api::frontend::Span {
        source: s.src,
        start: s.start,
        end: s.end,
    }
}
