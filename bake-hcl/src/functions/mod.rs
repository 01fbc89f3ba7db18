//! The function library: every builtin is a table entry (name, parameter types, variadic
//! type, body) so arity and types are checked — and arguments converted with cty's rules —
//! before the body runs. Bodies receive already-converted arguments.
//!
//! `try` and `can` are not here: they evaluate their arguments lazily, so the evaluator
//! handles them itself.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use crate::value::{convert, Type, Value};

mod collections;
mod crypto;
mod datetime;
mod encoding;
mod format;
mod misc;
mod numeric;
mod regex;
mod strings;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod testutil;
pub mod typeexpr;
mod util;

/// What functions may read from outside: injected by the caller, never read from the process.
#[derive(Debug, Clone, Default)]
pub struct FnEnv {
    /// Current time as Unix seconds and nanoseconds (for `timestamp`).
    pub now: Option<(i64, u32)>,
    /// The user's home directory (for `homedir`).
    pub home: Option<String>,
    /// The working directory (for `absolute`/path functions that need it).
    pub cwd: Option<String>,
    /// A seed for `uuidv4`/`bcrypt` salts; tests fix it.
    pub seed: u64,
    /// How many random draws were made so far: every `uuidv4()`/`bcrypt()` call gets fresh
    /// bytes, deterministic for a given seed.
    pub draws: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl FnEnv {
    /// A new seed for one random draw.
    #[must_use]
    pub fn draw(&self) -> u64 {
        let n = self
            .draws
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.seed ^ n.wrapping_mul(0xd1b5_4a32_d192_ed03)
    }
}

/// A parameter's type, with cty's flags.
#[derive(Debug, Clone)]
pub struct Param {
    /// Its name (for messages).
    pub name: &'static str,
    /// Its type; `Type::Dynamic` takes anything unchanged.
    pub ty: Type,
    /// Whether `null` is accepted.
    pub allow_null: bool,
}

impl Param {
    /// A parameter of this type that rejects null.
    #[must_use]
    pub const fn new(name: &'static str, ty: Type) -> Param {
        Param {
            name,
            ty,
            allow_null: false,
        }
    }

    /// A parameter of this type that accepts null.
    #[must_use]
    pub const fn nullable(name: &'static str, ty: Type) -> Param {
        Param {
            name,
            ty,
            allow_null: true,
        }
    }
}

/// A function body: converted arguments in, value or message out.
pub type FnBody = fn(&FnEnv, &[Value]) -> Result<Value, FnError>;

/// A function failure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FnError {
    /// The function failed; message as cty words it.
    Msg(String),
    /// Argument `index` (0-based) is bad; message as cty words it.
    Arg(usize, String),
}

impl FnError {
    /// A general failure.
    pub fn msg(m: impl Into<String>) -> FnError {
        FnError::Msg(m.into())
    }

    /// A failure about one argument.
    pub fn arg(i: usize, m: impl Into<String>) -> FnError {
        FnError::Arg(i, m.into())
    }
}

/// One builtin.
#[derive(Debug, Clone)]
pub struct FuncDef {
    /// Its name.
    pub name: &'static str,
    /// Fixed parameters.
    pub params: Vec<Param>,
    /// The variadic parameter, if any.
    pub variadic: Option<Param>,
    /// The body.
    pub body: FnBody,
}

impl FuncDef {
    /// Checks arity, converts the arguments to the parameter types (cty rules) and runs the
    /// body.
    ///
    /// # Errors
    /// Wrong arity, an argument of the wrong type, or the body's own failure.
    pub fn call(&self, env: &FnEnv, args: Vec<Value>) -> Result<Value, FnError> {
        let n = self.params.len();
        if args.len() < n || (self.variadic.is_none() && args.len() > n) {
            let want = if self.variadic.is_some() {
                format!("at least {n}")
            } else {
                n.to_string()
            };
            return Err(FnError::msg(format!(
                "function `{}` takes {want} argument{}, got {}",
                self.name,
                if n == 1 && self.variadic.is_none() {
                    ""
                } else {
                    "s"
                },
                args.len()
            )));
        }
        let mut conv = Vec::with_capacity(args.len());
        for (i, a) in args.into_iter().enumerate() {
            let p = if i < n {
                &self.params[i]
            } else {
                self.variadic.as_ref().unwrap_or_else(|| &self.params[0])
            };
            if a.is_null() {
                if !p.allow_null {
                    return Err(FnError::arg(i, "argument must not be null".to_string()));
                }
                conv.push(a);
                continue;
            }
            match convert(&a, &p.ty) {
                Ok(v) => conv.push(v),
                Err(e) => {
                    return Err(FnError::arg(
                        i,
                        format!("invalid value for \"{}\" parameter: {e}", p.name),
                    ));
                }
            }
        }
        (self.body)(env, &conv)
    }
}

/// The table of builtins, sorted by name.
pub fn registry() -> &'static BTreeMap<&'static str, FuncDef> {
    static REG: OnceLock<BTreeMap<&'static str, FuncDef>> = OnceLock::new();
    REG.get_or_init(|| {
        let mut m = BTreeMap::new();
        let families: [fn() -> Vec<FuncDef>; 9] = [
            format::all,
            strings::all,
            collections::all,
            numeric::all,
            encoding::all,
            crypto::all,
            regex::all,
            datetime::all,
            misc::all,
        ];
        for fam in families {
            for f in fam() {
                m.insert(f.name, f);
            }
        }
        m
    })
}

/// The builtin with this name.
#[must_use]
pub fn lookup(name: &str) -> Option<&'static FuncDef> {
    registry().get(name)
}

/// Every builtin name plus `try` and `can` (for suggestions).
pub fn names() -> impl Iterator<Item = &'static str> {
    registry().keys().copied().chain(["try", "can"])
}
