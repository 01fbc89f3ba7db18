//! Limits shared by every crate, so that runaway input ends with an error naming the limit
//! instead of a stack overflow or quadratic time. buildx has none of these; the value is far
//! above anything a real bake or Compose file needs (the README's "Limits" section lists
//! every limit).

/// How deep nesting may go, wherever bake walks nested definitions recursively:
/// - `bake-hcl`: expressions in evaluation, counting user-function calls (each call nests its
///   result expression one level below the call), and collections inside a value;
/// - `bake-core`: `inherits` chains, groups within groups and `target:` context links
///   (refused with [`crate::api::ResolveError::TooDeep`]);
/// - `bake-compose`: interpolation (templates in defaults, `${A:-${B:-...}}`, and each
///   `${X:-d}` after the first on a line, which is substituted as the rest of the first).
pub const MAX_NESTING: usize = 256;
