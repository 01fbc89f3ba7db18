//! Lowering: every attribute of every block instance evaluated, and the instances turned
//! into bake-core's `TargetDef` and `GroupDef` (values decoded as the field table says, each
//! field with the span it came from).

use std::collections::BTreeMap;
use std::rc::Rc;

use bake_core::api::frontend::DefField;
use bake_core::api::frontend::Origin;
use bake_core::api::frontend::{Config, GroupDef, RawEntry, SourceMap, TargetDef};
use bake_core::api::SortedMap;

use super::blocks::{field_kind, target_keys};
use super::declarations::{warn_attr, warn_block};
use super::{to_core_span, BlockRef, BlockType, Loader};
use crate::error::{ErrorKind, HclError, Result};
use crate::parse::ast::{Attr, Block, Body};
use crate::parse::fast::BlockReader;
use crate::value::{convert, Type, Value};

impl Loader<'_> {
    /// Evaluates every attribute bake knows of every block instance, and lowers the instances
    /// in order; warns (once per block, not per matrix cell) about attributes and blocks it
    /// does not know.
    ///
    /// Without `keep_values`, an instance's values are dropped once it is lowered (nothing
    /// can ask for them again), and so is the body of an owned block no other instance uses.
    pub(super) fn lower_instances(
        &mut self,
        warnings: &mut Vec<HclError>,
        keep_values: bool,
    ) -> Result<Config> {
        let mut config = Config::default();
        // Sized once: a large file's targets are most of what loading keeps.
        let targets = self
            .instances
            .iter()
            .filter(|i| i.ty == BlockType::Target)
            .count();
        config.targets.reserve_exact(targets);
        config.groups.reserve_exact(self.instances.len() - targets);
        let mut reader = BlockReader::default();
        for i in 0..self.instances.len() {
            if let BlockRef::Deferred(b) = &self.instances[i].block {
                let full = read_again(&mut reader, self.sources, b)?;
                self.instances[i].block = BlockRef::Owned(Rc::new(full));
            }
            let (ty, block) = (self.instances[i].ty, self.instances[i].block.clone());
            let first_of_block = i == 0 || !self.instances[i - 1].block.same(&block);
            for (ai, a) in block.body.attrs.iter().enumerate() {
                let an = &*a.name.name;
                if matches!(an, "matrix" | "name") {
                    continue;
                }
                if field_kind(ty, an).is_none() {
                    if first_of_block {
                        warnings.push(warn_attr(a, ty.as_str()));
                    }
                    continue;
                }
                self.eval_attr(i, ai)?;
            }
            for nb in &block.body.blocks {
                if first_of_block {
                    warnings.push(warn_block(nb, ty.as_str()));
                }
            }
            match ty {
                BlockType::Target => config.targets.push(self.lower_target(i)?),
                BlockType::Group => config.groups.push(self.lower_group(i)?),
            }
            if !keep_values {
                self.instances[i].attrs = Vec::new();
                // An owned block that only this instance uses (no matrix) is not read again:
                // its body goes now, so the tree shrinks while the model grows.
                drop(block);
                if let BlockRef::Owned(rc) = &mut self.instances[i].block {
                    if let Some(b) = Rc::get_mut(rc) {
                        b.body = Body::default();
                        b.labels = Vec::new();
                    }
                }
            }
        }
        Ok(config)
    }

    /// An evaluated `group` instance as bake-core's `GroupDef`.
    fn lower_group(&self, i: usize) -> Result<GroupDef> {
        let inst = &self.instances[i];
        let mut g = GroupDef {
            name: inst.name.clone(),
            ..GroupDef::default()
        };
        for (ai, a) in inst.block.body.attrs.iter().enumerate() {
            let Some(v) = self.done_value(i, ai) else {
                continue;
            };
            match &*a.name.name {
                "description" => g.description = decode_str(v, a)?,
                "targets" => g.targets = decode_list(v, a)?.unwrap_or_default(),
                _ => {}
            }
        }
        Ok(g)
    }

    /// An evaluated `target` instance as bake-core's `TargetDef`: each attribute bake knows,
    /// decoded, with the span it came from; `file_dir` from the file's name.
    fn lower_target(&self, i: usize) -> Result<TargetDef> {
        let inst = &self.instances[i];
        let mut t = TargetDef {
            name: inst.name.clone(),
            ..TargetDef::default()
        };
        let file = &self.sources.get(inst.block.span.src).name;
        if file != "-" && !file.contains("://") {
            let dir = std::path::Path::new(file)
                .parent()
                .map_or(String::new(), |p| p.to_string_lossy().into_owned());
            t.file_dir = Some(if dir.is_empty() { ".".to_string() } else { dir });
        }
        for (ai, a) in inst.block.body.attrs.iter().enumerate() {
            let name: &str = &a.name.name;
            let Some(v) = self.done_value(i, ai) else {
                continue;
            };
            let Some(key) = target_keys().find(|k| *k == name) else {
                continue;
            };
            let span = a.expr.span;
            let Some(field) = t.field_mut(key) else {
                continue;
            };
            let set = match field {
                DefField::Text(f) => set(f, decode_str(v, a)?),
                DefField::Flag(f) => set(f, decode_bool(v, a)?),
                DefField::Strings(f) => set(f, decode_list(v, a)?),
                DefField::Map(f) => set(
                    f,
                    decode_map(v, a)?.map(|m| {
                        m.into_iter()
                            .filter_map(|(k, v)| v.map(|v| (k, v)))
                            .collect()
                    }),
                ),
                DefField::NullableMap(f) => set(f, decode_map(v, a)?),
                DefField::Entries(f) => set(f, decode_entries(v, a)?),
                DefField::Object(f) => set(f, decode_object(v, a)?),
            };
            // Origins are for `--explain` alone; a record per field of every target costs
            // a tree node per target otherwise.
            if set && self.opts.record_refs {
                t.origins.insert(key, Origin::File(to_core_span(span)));
            }
        }
        Ok(t)
    }
}

/// Sets `slot` when `v` has a value; whether it had.
fn set<T>(slot: &mut Option<T>, v: Option<T>) -> bool {
    let was = v.is_some();
    if v.is_some() {
        *slot = v;
    }
    was
}

/// The error for a value of the wrong type for an attribute.
fn type_err(a: &Attr, want: &str, got: &Value) -> Box<HclError> {
    Box::new(
        HclError::new(
            ErrorKind::Type,
            Some(a.expr.span),
            format!(
                "incorrect attribute value type: inappropriate value for attribute `{}`: {want} required, got {}",
                a.name.name,
                got.ty().friendly_name()
            ),
        )
        .with_label(format!("expected {want}")),
    )
}

fn decode_str(v: &Value, a: &Attr) -> Result<Option<String>> {
    if v.is_null() {
        return Ok(None);
    }
    match convert(v, &Type::String) {
        Ok(Value::String(s)) => Ok(Some(s.to_string())),
        _ => Err(type_err(a, "string", v)),
    }
}

fn decode_bool(v: &Value, a: &Attr) -> Result<Option<bool>> {
    if v.is_null() {
        return Ok(None);
    }
    match convert(v, &Type::Bool) {
        Ok(Value::Bool(b)) => Ok(Some(b)),
        _ => Err(type_err(a, "bool", v)),
    }
}

fn decode_list(v: &Value, a: &Attr) -> Result<Option<Vec<String>>> {
    if v.is_null() {
        return Ok(None);
    }
    let Some(items) = v.as_seq() else {
        return Err(type_err(a, "list of string", v));
    };
    let mut out = Vec::with_capacity(items.len());
    for it in items {
        match convert(it, &Type::String) {
            Ok(Value::String(s)) => out.push(s.to_string()),
            Ok(_) => {
                return Err(Box::new(
                    HclError::new(
                        ErrorKind::Type,
                        Some(a.expr.span),
                        format!(
                            "incorrect attribute value type: inappropriate value for attribute `{}`: null values are not allowed in a list",
                            a.name.name
                        ),
                    )
                    .with_label("contains null"),
                ))
            }
            Err(_) => return Err(type_err(a, "list of string", v)),
        }
    }
    Ok(Some(out))
}

fn decode_map(v: &Value, a: &Attr) -> Result<Option<SortedMap<Option<String>>>> {
    if v.is_null() {
        return Ok(None);
    }
    let Some(m) = v.as_map() else {
        return Err(type_err(a, "map of string", v));
    };
    let mut out = Vec::with_capacity(m.len());
    for (k, x) in m {
        if x.is_null() {
            out.push((k.clone(), None));
            continue;
        }
        match convert(x, &Type::String) {
            Ok(Value::String(s)) => {
                out.push((k.clone(), Some(s.to_string())));
            }
            _ => {
                return Err(Box::new(
                    HclError::new(
                        ErrorKind::Type,
                        Some(a.expr.span),
                        format!(
                            "incorrect attribute value type: inappropriate value for attribute `{}`: element `{k}`: string required, got {}",
                            a.name.name,
                            x.ty().friendly_name()
                        ),
                    )
                    .with_label("expected a map of strings"),
                ))
            }
        }
    }
    Ok(Some(out.into_iter().collect()))
}

fn entry_map(x: &Value, a: &Attr) -> Result<BTreeMap<String, String>> {
    let Some(m) = x.as_map() else {
        return Err(type_err(a, "list of map of string", x));
    };
    let mut out = BTreeMap::new();
    for (k, v) in m {
        if v.is_null() {
            continue;
        }
        match convert(v, &Type::String) {
            Ok(Value::String(s)) => {
                out.insert(k.clone(), s.to_string());
            }
            _ => return Err(type_err(a, "list of map of string", x)),
        }
    }
    Ok(out)
}

fn decode_entries(v: &Value, a: &Attr) -> Result<Option<Vec<RawEntry>>> {
    if v.is_null() {
        return Ok(None);
    }
    let Some(items) = v.as_seq() else {
        return Err(type_err(a, "list of map of string", v));
    };
    let mut out = Vec::with_capacity(items.len());
    for it in items {
        match it {
            Value::Null(_) => {}
            Value::String(s) if s.is_empty() => {}
            Value::String(s) => out.push(RawEntry::Str(s.to_string())),
            Value::Map(_) | Value::Object(_) => out.push(RawEntry::Map(entry_map(it, a)?)),
            other => match convert(other, &Type::String) {
                Ok(Value::String(s)) => out.push(RawEntry::Str(s.to_string())),
                _ => return Err(type_err(a, "list of map of string", v)),
            },
        }
    }
    Ok(Some(out))
}

fn decode_object(v: &Value, a: &Attr) -> Result<Option<RawEntry>> {
    if v.is_null() {
        return Ok(None);
    }
    Ok(Some(RawEntry::Map(entry_map(v, a)?)))
}

/// A deferred block, read again from its file (what the first reading let go of).
pub(super) fn read_again<'a>(
    reader: &mut BlockReader<'a>,
    sources: &'a SourceMap,
    b: &Block,
) -> Result<Block> {
    let start = b.body.span.start as usize;
    let text = &sources.get(b.span.src).text;
    reader.read(b.span.src, text, start).ok_or_else(|| {
        // Invariant: the same reader accepted this text when it deferred the block.
        Box::new(HclError::new(
            ErrorKind::Block,
            Some(b.span),
            "internal error: a block read before could not be read again",
        ))
    })
}
