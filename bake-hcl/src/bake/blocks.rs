//! Block instances' attributes: which ones bake knows and how they decode, each evaluated at
//! most once (with cycle detection), and references to them from expressions
//! (`target.NAME.FIELD`, `group.NAME`).

use bake_core::api::frontend::did_you_mean;
use bake_core::api::frontend::TargetDef;

use super::{BlockType, Loader, Slot};
use crate::error::{ErrorKind, HclError, Result};
use crate::eval::Evaluator;
use crate::parse::ast::{Attr, Ident};
use crate::value::{convert, Type, Value, ValueMap};

/// How an attribute's value decodes into bake's model.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum FieldKind {
    Str,
    List,
    Map,
    MapNullable,
    Bool,
    Entries,
    Object,
}

/// Target attributes buildx knows: `inherits` and the field table's keys.
pub(super) fn target_keys() -> impl Iterator<Item = &'static str> {
    std::iter::once("inherits").chain(bake_core::api::frontend::PRINT_FIELDS)
}

/// How a target attribute's value decodes, from the field table.
fn target_kind(name: &str) -> Option<FieldKind> {
    use bake_core::api::frontend::DefType;
    Some(match TargetDef::field_type(name)? {
        DefType::Text => FieldKind::Str,
        DefType::Flag => FieldKind::Bool,
        DefType::Strings => FieldKind::List,
        DefType::Map => FieldKind::Map,
        DefType::NullableMap => FieldKind::MapNullable,
        DefType::Entries => FieldKind::Entries,
        DefType::Object => FieldKind::Object,
    })
}

/// Group attributes and how they decode.
pub(super) const GROUP_FIELDS: &[(&str, FieldKind)] = &[
    ("description", FieldKind::Str),
    ("targets", FieldKind::List),
];

/// How an attribute of a `ty` block decodes; `None` for attributes bake does not know.
pub(super) fn field_kind(ty: BlockType, name: &str) -> Option<FieldKind> {
    match ty {
        BlockType::Target => target_kind(name),
        BlockType::Group => GROUP_FIELDS
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, k)| *k),
    }
}

impl Loader<'_> {
    /// `TYPE.NAME.ATTR` of an instance's attribute, for cycle messages.
    fn ref_name(&self, inst: usize, idx: usize) -> String {
        let i = &self.instances[inst];
        format!(
            "{}.{}.{}",
            i.ty.as_str(),
            i.name,
            i.block.body.attrs[idx].name.name
        )
    }

    /// Evaluates attribute `idx` of a block instance once, remembering the value.
    pub(super) fn eval_attr(&mut self, inst: usize, idx: usize) -> Result<Value> {
        let block = self.instances[inst].block.clone();
        let a: &Attr = &block.body.attrs[idx];
        if self.instances[inst].attrs.is_empty() {
            let n = block.body.attrs.len();
            self.instances[inst].attrs.resize_with(n, || None);
        }
        match &self.instances[inst].attrs[idx] {
            Some(Slot::Done(v)) => return Ok(v.clone()),
            Some(Slot::InProgress) => {
                let me = self.ref_name(inst, idx);
                let start = self
                    .attr_stack
                    .iter()
                    .position(|r| *r == (inst, idx))
                    .unwrap_or(0);
                let mut path: Vec<String> = self.attr_stack[start..]
                    .iter()
                    .map(|&(i, x)| self.ref_name(i, x))
                    .collect();
                path.push(me.clone());
                return Err(Box::new(
                    HclError::new(
                        ErrorKind::Cycle,
                        Some(a.expr.span),
                        format!(
                            "reference cycle not allowed for {me}: {}",
                            path.join(" -> ")
                        ),
                    )
                    .with_label("this value depends on itself"),
                ));
            }
            None => {}
        }
        self.instances[inst].attrs[idx] = Some(Slot::InProgress);
        self.attr_stack.push((inst, idx));
        let locals = self.instances[inst].locals.clone();
        let saved_ctx = self.eval_context;
        self.eval_context = if locals.is_empty() { None } else { Some(inst) };
        let r = Evaluator::with_locals(self, locals, 0).eval(&a.expr);
        self.eval_context = saved_ctx;
        self.attr_stack.pop();
        match r {
            Ok(v) => {
                self.instances[inst].attrs[idx] = Some(Slot::Done(v.clone()));
                Ok(v)
            }
            Err(e) => {
                self.instances[inst].attrs[idx] = None;
                Err(e)
            }
        }
    }

    /// An attribute's value, if it has been evaluated.
    pub(super) fn done_value(&self, inst: usize, idx: usize) -> Option<&Value> {
        match self.instances[inst].attrs.get(idx) {
            Some(Some(Slot::Done(v))) => Some(v),
            _ => None,
        }
    }

    /// The value of `field` of an instance as a block reference sees it (converted to the
    /// field's type when it converts); `None` when the block does not set it.
    fn block_value(&mut self, inst: usize, field: &str) -> Result<Option<Value>> {
        let block = self.instances[inst].block.clone();
        let Some(idx) = block.body.attrs.iter().position(|a| &*a.name.name == field) else {
            return Ok(None);
        };
        let v = self.eval_attr(inst, idx)?;
        let ty = self.instances[inst].ty;
        Ok(Some(match field_kind(ty, field) {
            Some(FieldKind::Str) => convert(&v, &Type::String).unwrap_or(v),
            Some(FieldKind::List) => convert(&v, &Type::list(Type::String)).unwrap_or(v),
            Some(FieldKind::Map | FieldKind::MapNullable) => {
                convert(&v, &Type::map(Type::String)).unwrap_or(v)
            }
            Some(FieldKind::Bool) => convert(&v, &Type::Bool).unwrap_or(v),
            _ => v,
        }))
    }

    /// `TYPE.NAME.FIELD`, or the whole block as an object when `field` is `None`; a name with
    /// several instances (the same name in several blocks) takes the last one that sets it.
    pub(super) fn block_reference(
        &mut self,
        ty: &str,
        name: &Ident,
        field: Option<&Ident>,
    ) -> Result<Value> {
        let bt = if ty == "group" {
            BlockType::Group
        } else {
            BlockType::Target
        };
        let Some(idxs) = self
            .instances_by_name
            .get(&(bt, name.name.to_string()))
            .cloned()
        else {
            let mut e = HclError::new(
                ErrorKind::Eval,
                Some(name.span),
                format!(
                    "unsupported attribute: there is no {ty} named `{}`",
                    name.name
                ),
            )
            .with_label(format!("unknown {ty}"));
            let cands: Vec<String> = self
                .instances_by_name
                .keys()
                .filter(|(t, _)| *t == bt)
                .map(|(_, n)| n.clone())
                .collect();
            if let Some(s) = did_you_mean(&name.name, cands.iter().map(String::as_str)) {
                e = e.with_help(s);
            }
            return Err(Box::new(e));
        };
        if let Some(f) = field {
            // buildx's block structs carry their label as a `name` field (`cty:"name"`), set
            // to the instance's name (for a matrix cell, the expanded one) before any
            // attribute is evaluated: `TYPE.NAME.name` is NAME, whatever the block sets.
            if &*f.name == "name" {
                return Ok(Value::string(name.name.clone()));
            }
            if field_kind(bt, &f.name).is_none() {
                let mut e = HclError::new(
                    ErrorKind::Eval,
                    Some(f.span),
                    format!(
                        "unsupported attribute: a {ty} has no attribute named `{}`",
                        f.name
                    ),
                );
                let known: Vec<&str> = if bt == BlockType::Target {
                    target_keys().chain(["name"]).collect()
                } else {
                    GROUP_FIELDS
                        .iter()
                        .map(|(n, _)| *n)
                        .chain(["name"])
                        .collect()
                };
                if let Some(s) = did_you_mean(&f.name, known) {
                    e = e.with_help(s);
                }
                return Err(Box::new(e));
            }
            let mut out = Value::NULL;
            for i in idxs {
                if let Some(v) = self.block_value(i, &f.name)? {
                    out = v;
                }
            }
            Ok(out)
        } else {
            let known: Vec<&str> = if bt == BlockType::Target {
                target_keys().collect()
            } else {
                GROUP_FIELDS.iter().map(|(n, _)| *n).collect()
            };
            let mut m = ValueMap::new();
            for fname in known {
                let mut out = Value::NULL;
                for &i in &idxs {
                    if let Some(v) = self.block_value(i, fname)? {
                        out = v;
                    }
                }
                m.insert((*fname).to_string(), out);
            }
            m.insert("name".into(), Value::string(name.name.clone()));
            Ok(Value::object(m))
        }
    }
}
