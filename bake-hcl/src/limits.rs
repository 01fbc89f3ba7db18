//! Limits that turn runaway input into an error naming the limit instead of a hang, a stack
//! overflow or running out of memory. buildx has none of these; the defaults are far above
//! anything a real bake file needs (the README's "Limits" section lists them).
//!
//! Expressions nest at most [`MAX_NESTING`] deep (the limit shared with the other crates),
//! counting user-function calls (each call nests its result expression one level below the
//! call).

pub(crate) use bake_core::api::frontend::MAX_NESTING;

use crate::value::Value;

/// The largest value an expression may produce: string bytes plus elements, counted
/// through nested collections (16 MiB).
pub const MAX_VALUE_SIZE: usize = 16 << 20;

/// How many targets (or groups) one block's `matrix` may expand to.
pub const MAX_MATRIX_TARGETS: usize = 10_000;

/// How many expressions one load may evaluate: a bound on time for inputs that loop
/// without growing (nested `for` over large ranges).
pub const MAX_EVAL_STEPS: u64 = 10_000_000;

/// The highest `bcrypt()` cost: each step doubles the time (buildx allows 31, which runs
/// for days).
pub const MAX_BCRYPT_COST: i64 = 15;

/// The longest string `parseint()` converts (the conversion is quadratic in the length).
pub const MAX_PARSEINT_DIGITS: usize = 10_000;

/// Why [`value_size`] refused a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Oversize {
    /// More than the budget of string bytes plus elements.
    Size,
    /// Collections nested deeper than [`MAX_NESTING`].
    Depth,
}

impl Oversize {
    /// The error message, naming the limit.
    #[must_use]
    pub fn message(self, what: &str) -> String {
        match self {
            Oversize::Size => format!(
                "{what} exceeds the value size limit of {} MiB (string bytes plus elements)",
                MAX_VALUE_SIZE >> 20
            ),
            Oversize::Depth => {
                format!("{what} nests collections deeper than the limit of {MAX_NESTING} levels")
            }
        }
    }
}

/// The size of `v` as [`MAX_VALUE_SIZE`] counts it, or why it is refused: over `budget`, or
/// nested deeper than [`MAX_NESTING`]. Shared sub-values count every time they appear (that
/// is what printing or encoding them costs), but the walk stops as soon as the budget is
/// spent.
///
/// # Errors
/// [`Oversize`] when the value is too large or too deep.
pub fn value_size(v: &Value, budget: usize) -> Result<usize, Oversize> {
    fn walk(v: &Value, left: &mut usize, depth: usize) -> Result<(), Oversize> {
        let own = match v {
            Value::String(s) => s.len(),
            _ => 1,
        };
        if own > *left {
            return Err(Oversize::Size);
        }
        *left -= own;
        match v {
            Value::List(e) | Value::Set(e) | Value::Tuple(e) => {
                if depth >= MAX_NESTING {
                    return Err(Oversize::Depth);
                }
                e.iter().try_for_each(|x| walk(x, left, depth + 1))
            }
            Value::Map(m) | Value::Object(m) => {
                if depth >= MAX_NESTING {
                    return Err(Oversize::Depth);
                }
                m.iter().try_for_each(|(k, x)| {
                    if k.len() > *left {
                        return Err(Oversize::Size);
                    }
                    *left -= k.len();
                    walk(x, left, depth + 1)
                })
            }
            _ => Ok(()),
        }
    }
    let mut left = budget;
    walk(v, &mut left, 0)?;
    Ok(budget - left)
}
