//! `matrix` and `name`: a block with a matrix becomes one instance per cell of the matrix
//! (every combination of one value per axis), each named by its `name` expression with the
//! cell's values as locals. A target expanded to other names also becomes a group of them.

use std::collections::HashSet;
use std::sync::Arc;

use bake_core::api::frontend::GroupDef;

use super::{BlockInstance, BlockRef, BlockType, Loader};
use crate::error::{ErrorKind, HclError, Result};
use crate::eval::Evaluator;
use crate::limits;
use crate::parse::ast::{Attr, Ident, Span};
use crate::value::{convert, Type, Value};

/// The matrix values of one cell, by axis.
type Cell = Vec<(Arc<str>, Value)>;

/// A `target` or `group` block and the names of its instances.
pub(super) struct ExpandedBlock {
    ty: BlockType,
    label: String,
    names: Vec<String>,
}

impl<'a> Loader<'a> {
    /// Creates the instances of every block, in order. Returns the targets that
    /// [`matrix_groups`] makes a group of: those with an instance not named as the block's
    /// label (a plain block, the most of a large file, needs no record).
    ///
    /// # Errors
    /// A block without exactly one label, an invalid name, and errors of [`Self::expand_block`].
    pub(super) fn expand_blocks(
        &mut self,
        blocks: Vec<(BlockType, BlockRef<'a>)>,
    ) -> Result<Vec<ExpandedBlock>> {
        let mut expanded = Vec::new();
        // One instance per block unless there are matrices: sized once.
        self.instances.reserve_exact(blocks.len());
        if self.index_blocks {
            self.instances_by_name.reserve(blocks.len());
        }
        for (ty, b) in blocks {
            let [label] = b.labels.as_slice() else {
                return Err(Box::new(
                    HclError::new(
                        ErrorKind::Block,
                        Some(b.span),
                        format!(
                            "invalid block label: a `{}` block needs exactly one label, its name",
                            ty.as_str()
                        ),
                    )
                    .with_help(format!("write `{} \"name\" {{ ... }}`", ty.as_str())),
                ));
            };
            validate_name(&label.name, label.span)?;
            let names = self.expand_block(ty, &b, label)?;
            if ty == BlockType::Target && names.iter().any(|n| **n != *label.name) {
                expanded.push(ExpandedBlock {
                    ty,
                    label: label.name.to_string(),
                    names,
                });
            }
        }
        Ok(expanded)
    }

    /// Evaluates `matrix` and `name` of a block: one instance per matrix cell. Returns the
    /// instances' names.
    fn expand_block(
        &mut self,
        ty: BlockType,
        b: &BlockRef<'a>,
        label: &Ident,
    ) -> Result<Vec<String>> {
        let matrix = b.body.attr("matrix");
        let name_attr = b.body.attr("name");
        check_matrix_attributes(ty, matrix, name_attr)?;
        let cells = match matrix {
            Some(m) => self.matrix_cells(m)?,
            None => vec![Vec::new()],
        };
        let mut names = Vec::with_capacity(cells.len());
        let mut seen = HashSet::with_capacity(cells.len());
        for locals in cells {
            let name = match name_attr {
                Some(a) => self.cell_name(a, &locals)?,
                None => label.name.to_string(),
            };
            if !seen.insert(name.clone()) {
                let span = name_attr.map_or(label.span, |a| a.expr.span);
                let mut e = HclError::new(
                    ErrorKind::Block,
                    Some(span),
                    format!("duplicate name `{name}`"),
                );
                if name_attr.is_none() {
                    e = e.with_help("a target with a `matrix` needs a `name` that differs per cell, like `name = \"app-${item}\"`");
                }
                return Err(Box::new(e));
            }
            names.push(name.clone());
            let idx = self.instances.len();
            self.instances.push(BlockInstance {
                ty,
                block: b.clone(),
                locals,
                name: name.clone(),
                attrs: Vec::new(),
            });
            if self.index_blocks {
                self.instances_by_name
                    .entry((ty, name))
                    .or_default()
                    .push(idx);
            }
        }
        Ok(names)
    }

    /// The cells of a `matrix`: every combination of one value per axis, the first axis
    /// varying fastest.
    fn matrix_cells(&mut self, m: &Attr) -> Result<Vec<Cell>> {
        let mut cells: Vec<Cell> = vec![Vec::new()];
        let mv = Evaluator::new(self).eval(&m.expr)?;
        let Some(axes) = (match &mv {
            Value::Map(x) | Value::Object(x) => Some(x.clone()),
            _ => None,
        }) else {
            return Err(Box::new(
                HclError::new(ErrorKind::Block, Some(m.expr.span), "matrix must be a map")
                    .with_help("write `matrix = { axis = [\"a\", \"b\"] }`"),
            ));
        };
        let mut count = 1usize;
        for (k, vals) in axes.iter() {
            let Some(vals) = vals.as_seq() else {
                return Err(Box::new(HclError::new(
                    ErrorKind::Block,
                    Some(m.expr.span),
                    format!("matrix values must be a list (axis `{k}`)"),
                )));
            };
            count = count.saturating_mul(vals.len());
            if count > limits::MAX_MATRIX_TARGETS {
                return Err(Box::new(
                    HclError::new(
                        ErrorKind::Limit,
                        Some(m.expr.span),
                        format!(
                            "matrix expands to more than the limit of {} targets",
                            limits::MAX_MATRIX_TARGETS
                        ),
                    )
                    .with_help(
                        "split the matrix over several blocks, or use fewer values per axis",
                    ),
                ));
            }
            let mut next = Vec::new();
            for v in vals {
                for c in &cells {
                    let mut c2 = c.clone();
                    c2.push((Arc::from(k.as_str()), v.clone()));
                    next.push(c2);
                }
            }
            cells = next;
        }
        Ok(cells)
    }

    /// The name of one cell's instance: `name` evaluated with the cell's values.
    fn cell_name(&mut self, name_attr: &Attr, locals: &Cell) -> Result<String> {
        let v = Evaluator::with_locals(self, locals.clone(), 0).eval(&name_attr.expr)?;
        let s = match convert(&v, &Type::String) {
            Ok(Value::String(s)) => s.to_string(),
            _ => {
                return Err(Box::new(HclError::new(
                    ErrorKind::Type,
                    Some(name_attr.expr.span),
                    "name must be a string",
                )))
            }
        };
        if let Err(e) = validate_name(&s, name_attr.expr.span) {
            return Err(Box::new(
                (*e).with_help("matrix names may use letters, digits, `_` and `-`"),
            ));
        }
        Ok(s)
    }
}

/// Groups have neither `matrix` nor `name`, and `name` needs a `matrix`.
fn check_matrix_attributes(
    ty: BlockType,
    matrix: Option<&Attr>,
    name_attr: Option<&Attr>,
) -> Result<()> {
    if ty == BlockType::Group {
        if let Some(a) = matrix.or(name_attr) {
            return Err(Box::new(HclError::new(
                ErrorKind::Block,
                Some(a.name.span),
                format!("{} is not supported for groups", a.name.name),
            )));
        }
    }
    if let (Some(a), None) = (name_attr, matrix) {
        return Err(Box::new(
            HclError::new(ErrorKind::Block, Some(a.name.span), "name requires matrix")
                .with_help("add a `matrix` attribute, or remove `name`"),
        ));
    }
    Ok(())
}

/// A group for each target whose instances are named other than its label: the names of
/// its instances (once each, in order), under the label.
pub(super) fn matrix_groups(expanded: Vec<ExpandedBlock>) -> Vec<GroupDef> {
    let mut groups = Vec::new();
    for ExpandedBlock { ty, label, names } in expanded {
        if ty != BlockType::Target {
            continue;
        }
        let mut uniq: Vec<String> = Vec::new();
        for n in names {
            if !uniq.contains(&n) {
                uniq.push(n);
            }
        }
        if uniq.is_empty() || (uniq.len() == 1 && uniq[0] == label) {
            continue;
        }
        groups.push(GroupDef {
            name: label,
            description: None,
            targets: uniq,
        });
    }
    groups
}

/// Target and group names: letters, digits, `_` and `-`.
pub(super) fn validate_name(name: &str, span: Span) -> Result<()> {
    if !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        return Ok(());
    }
    Err(Box::new(
        HclError::new(
            ErrorKind::Block,
            Some(span),
            format!("invalid name `{name}`: only \"a-zA-Z0-9_-\" are allowed"),
        )
        .with_label("invalid name"),
    ))
}
