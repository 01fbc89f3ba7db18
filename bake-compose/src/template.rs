//! Compose variable substitution, as compose-go's `template` package does it: `$VAR`,
//! `${VAR}`, `${VAR:-d}`, `${VAR-d}`, `${VAR:+r}`, `${VAR+r}`, `${VAR:?e}`, `${VAR?e}`,
//! nested templates in defaults, and `$$` for a literal `$`.
//!
//! Substitutions nest at most [`MAX_NESTING`] deep: templates in defaults
//! (`${A:-${B:-...}}`), and each `${X:-d}` after the first on a line (they are substituted as
//! the rest of the first). Every level scans the rest of the line again: unbounded, this would
//! take quadratic time.

use bake_core::api::frontend::MAX_NESTING;

/// Why a substitution failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TemplateError {
    /// `${` not followed by a valid name (the whole template).
    Invalid(String),
    /// `${VAR:?reason}` with VAR unset (or empty).
    Required { variable: String, reason: String },
    /// Templates nested deeper than [`MAX_NESTING`].
    TooDeep,
}

impl std::fmt::Display for TemplateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TemplateError::Invalid(t) => write!(f, "Invalid template: {t:?}"),
            TemplateError::TooDeep => write!(
                f,
                "templates nest deeper than the limit of {MAX_NESTING} levels"
            ),
            TemplateError::Required { variable, reason } if reason.is_empty() => {
                write!(f, "required variable {variable} is missing a value")
            }
            TemplateError::Required { variable, reason } => {
                write!(
                    f,
                    "required variable {variable} is missing a value: {reason}"
                )
            }
        }
    }
}

/// Substitutes `template` with `lookup`; `warn` receives the names of unset variables that
/// defaulted to a blank string.
///
/// # Errors
/// Invalid templates and missing required variables (the first error wins, as in Go).
pub(crate) fn substitute(
    template: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
    warn: &mut dyn FnMut(&str),
) -> Result<String, TemplateError> {
    substitute_at(template, lookup, warn, 0)
}

fn substitute_at(
    template: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
    warn: &mut dyn FnMut(&str),
    depth: usize,
) -> Result<String, TemplateError> {
    if depth > MAX_NESTING {
        return Err(TemplateError::TooDeep);
    }
    // Not sized by the template: nested levels each get a slice of it, and reserving its
    // length at every level would cost quadratic memory.
    let mut out = String::new();
    let mut err: Option<TemplateError> = None;
    let bytes = template.as_bytes();
    let mut i = 0;
    let mut lit_start = 0;
    while i < bytes.len() {
        if bytes[i] != b'$' {
            i += 1;
            continue;
        }
        let Some((len, kind)) = match_at(template, i) else {
            i += 1;
            continue;
        };
        out.push_str(&template[lit_start..i]);
        let matched = &template[i..i + len];
        match replace(matched, kind, lookup, warn, depth) {
            Ok(s) => out.push_str(&s),
            Err(e) => {
                let e = match e {
                    TemplateError::Invalid(t) if t.is_empty() => {
                        TemplateError::Invalid(template.to_string())
                    }
                    other => other,
                };
                if err.is_none() {
                    err = Some(e);
                }
            }
        }
        i += len;
        lit_start = i;
    }
    out.push_str(&template[lit_start..]);
    match err {
        Some(e) => Err(e),
        None => Ok(out),
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Escaped,
    Named,
    Braced,
    Invalid,
}

fn is_name_start(b: u8) -> bool {
    b == b'_' || b.is_ascii_alphabetic()
}

fn is_name(b: u8) -> bool {
    b == b'_' || b.is_ascii_alphanumeric()
}

/// The regex `\$(?i:(\$)|([_a-z][_a-z0-9]*)|{(?:([_a-z][_a-z0-9]*(?::?[-+?](.*))?)}|()))`
/// matched at `i` (leftmost-first, greedy, `.` not matching a newline).
fn match_at(s: &str, i: usize) -> Option<(usize, Kind)> {
    let b = s.as_bytes();
    let n = *b.get(i + 1)?;
    if n == b'$' {
        return Some((2, Kind::Escaped));
    }
    if is_name_start(n) {
        let mut j = i + 2;
        while j < b.len() && is_name(b[j]) {
            j += 1;
        }
        return Some((j - i, Kind::Named));
    }
    if n != b'{' {
        return None;
    }
    let start = i + 2;
    if start < b.len() && is_name_start(b[start]) {
        let mut j = start + 1;
        while j < b.len() && is_name(b[j]) {
            j += 1;
        }
        // optional `:?[-+?](.*)` then `}`: greedy, so the last `}` before a newline
        let mut k = j;
        if k < b.len() && b[k] == b':' {
            k += 1;
        }
        if k < b.len() && matches!(b[k], b'-' | b'+' | b'?') {
            let line_end = s[k + 1..].find('\n').map_or(b.len(), |p| k + 1 + p);
            if let Some(p) = s[k + 1..line_end].rfind('}') {
                let close = k + 1 + p;
                return Some((close + 1 - i, Kind::Braced));
            }
        }
        if j < b.len() && b[j] == b'}' {
            return Some((j + 1 - i, Kind::Braced));
        }
    }
    Some((2, Kind::Invalid))
}

fn first_brace_closing(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    let mut open = 0i32;
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'}' {
            open -= 1;
            if open == 0 {
                return Some(i);
            }
        }
        if b[i] == b'{' {
            open += 1;
            i += 1;
        }
        i += 1;
    }
    None
}

const OPS: [&str; 6] = [":?", "?", ":-", "-", ":+", "+"];

fn replace(
    matched: &str,
    kind: Kind,
    lookup: &dyn Fn(&str) -> Option<String>,
    warn: &mut dyn FnMut(&str),
    depth: usize,
) -> Result<String, TemplateError> {
    match kind {
        Kind::Escaped => return Ok("$".into()),
        Kind::Invalid => return Err(TemplateError::Invalid(String::new())),
        Kind::Named => {
            let name = &matched[1..];
            return Ok(lookup(name).unwrap_or_else(|| {
                warn(name);
                String::new()
            }));
        }
        Kind::Braced => {}
    }
    // the operator is chosen on the whole match, before it is cut at the closing brace
    let op = OPS
        .iter()
        .filter_map(|op| matched.find(op).map(|i| (i, *op)))
        .min_by_key(|(i, op)| (*i, std::cmp::Reverse(op.len())))
        .map(|(_, op)| op);
    let (sub, rest) = match first_brace_closing(matched) {
        Some(c) => (&matched[..=c], &matched[c + 1..]),
        None => (matched, ""),
    };
    // the braced group of the cut match
    let inner = match match_at(sub, 0) {
        Some((len, Kind::Braced)) if len == sub.len() => &sub[2..sub.len() - 1],
        Some((_, Kind::Braced | Kind::Named | Kind::Escaped | Kind::Invalid)) | None => {
            return Err(TemplateError::Invalid(String::new()))
        }
    };
    if let Some(op) = op {
        if let Some((name, arg)) = inner.split_once(op) {
            let value = lookup(name);
            let applied = match op {
                ":-" | "-" => {
                    let use_default = match &value {
                        None => true,
                        Some(v) => op == ":-" && v.is_empty(),
                    };
                    if use_default {
                        substitute_at(arg, lookup, warn, depth + 1)?
                    } else {
                        value.unwrap_or_default()
                    }
                }
                ":+" | "+" => {
                    let present = match &value {
                        None => false,
                        Some(v) => op == "+" || !v.is_empty(),
                    };
                    if present {
                        substitute_at(arg, lookup, warn, depth + 1)?
                    } else {
                        value.unwrap_or_default()
                    }
                }
                _ => {
                    let ok = match &value {
                        None => false,
                        Some(v) => op == "?" || !v.is_empty(),
                    };
                    if !ok {
                        let reason = substitute_at(arg, lookup, warn, depth + 1)?;
                        return Err(TemplateError::Required {
                            variable: name.to_string(),
                            reason,
                        });
                    }
                    value.unwrap_or_default()
                }
            };
            let tail = substitute_at(rest, lookup, warn, depth + 1)?;
            return Ok(applied + &tail);
        }
    }
    Ok(lookup(inner).unwrap_or_else(|| {
        warn(inner);
        String::new()
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(k: &str) -> Option<String> {
        match k {
            "SET" => Some("x".into()),
            "EMPTY" => Some(String::new()),
            "FOO" => Some("first".into()),
            "BAR" => Some("second".into()),
            _ => None,
        }
    }

    fn sub(t: &str) -> Result<String, TemplateError> {
        substitute(t, &env, &mut |_| {})
    }

    #[test]
    fn documented_forms() {
        let cases: &[(&str, &str)] = &[
            ("$SET", "x"),
            ("${SET}", "x"),
            ("a${SET}b", "axb"),
            ("$SET-suffix", "x-suffix"),
            ("${UNSET:-d}", "d"),
            ("${EMPTY:-d}", "d"),
            ("${EMPTY-d}", ""),
            ("${UNSET-d}", "d"),
            ("${SET:-d}", "x"),
            ("${SET:+r}", "r"),
            ("${EMPTY:+r}", ""),
            ("${EMPTY+r}", "r"),
            ("${UNSET+r}", ""),
            ("${SET?e}", "x"),
            ("${EMPTY?e}", ""),
            ("$$SET", "$SET"),
            ("$$", "$"),
            ("${UNSET:-${SET}}", "x"),
            ("${UNSET:-${UNSET2:-deep}}", "deep"),
            ("${UNSET:-a} ${SET}", "a x"),
            ("${UNSET}", ""),
            ("$", "$"),
            ("a $ b", "a $ b"),
            ("${FOO:-x}/${BAR:-y}", "first/second"),
            ("${UNSET:-x}}", "x}"),
            ("$1", "$1"),
            ("${UNSET:-a:b}", "a:b"),
            ("${UNSET:-}", ""),
        ];
        for (t, want) in cases {
            assert_eq!(sub(t).as_deref(), Ok(*want), "template {t}");
        }
    }

    #[test]
    fn errors() {
        assert_eq!(
            sub("${UNSET:?must be set}"),
            Err(TemplateError::Required {
                variable: "UNSET".into(),
                reason: "must be set".into()
            })
        );
        assert!(matches!(
            sub("${EMPTY:?}"),
            Err(TemplateError::Required { .. })
        ));
        assert!(matches!(
            sub("${UNSET?}"),
            Err(TemplateError::Required { .. })
        ));
        assert_eq!(sub("${"), Err(TemplateError::Invalid("${".into())));
        assert_eq!(sub("a ${1}"), Err(TemplateError::Invalid("a ${1}".into())));
        assert!(sub("${ SET}").is_err());
    }

    #[test]
    fn warns_on_unset() {
        let mut seen = Vec::new();
        let _ = substitute("${A} $B ${C:-x}", &env, &mut |n| seen.push(n.to_string()));
        assert_eq!(seen, vec!["A", "B"]);
    }

    #[test]
    fn no_panic_on_odd_inputs() {
        let pieces = [
            "$", "{", "}", "$$", "${", ":", "-", "+", "?", "A", "_", "1", "\n", "é", " ", "${A",
            ":-", ":?", "}}", "{{",
        ];
        let mut n = 0u64;
        for a in pieces {
            for b in pieces {
                for c in pieces {
                    for d in pieces {
                        let t = format!("{a}{b}{c}{d}");
                        let _ = sub(&t);
                        n += 1;
                    }
                }
            }
        }
        assert!(n > 100_000);
    }
}
