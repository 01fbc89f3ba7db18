//! Type expressions (`string`, `list(string)`, `object({a = number})`, ...) as written in
//! `variable` blocks' `type`.

use std::collections::BTreeMap;

use crate::error::{ErrorKind, HclError, Result};
use crate::parse::ast::{Expr, ExprKind, ObjKey};
use crate::value::Type;

fn bad(e: &Expr, msg: &str) -> Box<HclError> {
    Box::new(
        HclError::new(ErrorKind::Type, Some(e.span), format!("invalid type specification: {msg}"))
            .with_label("not a type")
            .with_help("a type is a keyword (`string`, `number`, `bool`, `any`) or a constructor like `list(string)`, `map(number)`, `object({name = string})`"),
    )
}

/// The type an expression denotes.
///
/// # Errors
/// When the expression is not a type (a quoted `"string"` included).
pub fn type_expr(e: &Expr) -> Result<Type> {
    match &e.kind {
        ExprKind::Paren(inner) => type_expr(inner),
        ExprKind::Var(id) => match &*id.name {
            "string" => Ok(Type::String),
            "number" => Ok(Type::Number),
            "bool" => Ok(Type::Bool),
            "any" => Ok(Type::Dynamic),
            "list" | "map" | "set" => Err(bad(
                e,
                &format!("the {} type constructor requires one argument specifying the element type", id.name),
            )),
            other => Err(bad(e, &format!("the keyword `{other}` is not a valid type specification"))),
        },
        ExprKind::Lit(crate::value::Value::Null(_)) => Ok(Type::Dynamic),
        ExprKind::Call(c) => {
            let (name, args) = (&c.name, &c.args);
            let one = || -> Result<Type> {
                match args.as_slice() {
                    [a] => type_expr(a),
                    _ => Err(bad(
                        e,
                        &format!("the {} type constructor requires one argument specifying the element type", name.name),
                    )),
                }
            };
            match &*name.name {
                "list" => Ok(Type::list(one()?)),
                "set" => Ok(Type::set(one()?)),
                "map" => Ok(Type::map(one()?)),
                "optional" => Err(bad(
                    e,
                    "the keyword `optional` is valid only as a modifier for object type attributes",
                )),
                "tuple" => match args.as_slice() {
                    [Expr { kind: ExprKind::Tuple(items), .. }] => {
                        Ok(Type::Tuple(items.iter().map(type_expr).collect::<Result<_>>()?))
                    }
                    _ => Err(bad(e, "the tuple type constructor requires a list of element types")),
                },
                "object" => match args.as_slice() {
                    [Expr { kind: ExprKind::Object(items), .. }] => {
                        let mut m = BTreeMap::new();
                        for (k, v) in items {
                            let key = match k {
                                ObjKey::Ident(id) | ObjKey::Expr(Expr { kind: ExprKind::Var(id), .. }) => id.name.to_string(),
                                ObjKey::Expr(Expr { kind: ExprKind::Lit(crate::value::Value::String(s)), .. }) => s.to_string(),
                                ObjKey::Expr(x) => return Err(bad(x, "object attribute names must be identifiers")),
                            };
                            m.insert(key, attr_type(v)?);
                        }
                        Ok(Type::Object(m))
                    }
                    _ => Err(bad(e, "the object type constructor requires an object of attribute types")),
                },
                other => Err(bad(e, &format!("`{other}` is not a type constructor"))),
            }
        }
        _ => Err(bad(
            e,
            "a type specification is either a primitive type keyword (bool, number, string) or a complex type constructor call, like list(string)",
        )),
    }
}

/// An object attribute's type: `optional(T)` is allowed here (without a default, as buildx's
/// type constraints take no defaults).
fn attr_type(e: &Expr) -> Result<Type> {
    if let ExprKind::Call(c) = &e.kind {
        let (name, args) = (&c.name, &c.args);
        if &*name.name == "optional" {
            return match args.as_slice() {
                [a] => Ok(Type::Optional(Box::new(type_expr(a)?))),
                _ => Err(bad(
                    e,
                    "optional attribute modifier expects only one argument: the attribute type",
                )),
            };
        }
    }
    type_expr(e)
}
