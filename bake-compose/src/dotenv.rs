//! `.env` / `env_file` parsing with compose-go's dotenv syntax: `KEY=value`, `KEY: value`,
//! `export KEY=value`, comments, single quotes (literal), double quotes (escapes and
//! substitution), unquoted values (trailing ` #comment` cut, substitution), and a bare `KEY`
//! taking its value from the lookup.

use indexmap::IndexMap;

use crate::template;

/// Parses `src`; `lookup` resolves bare keys and substitutions before earlier keys of the file.
///
/// # Errors
/// `line N: ...` for malformed keys and unterminated quotes, and substitution errors.
pub fn parse(
    src: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<IndexMap<String, String>, String> {
    let src = src.strip_prefix('\u{feff}').unwrap_or(src);
    let mut out: IndexMap<String, String> = IndexMap::new();
    let mut line = 1usize;
    let mut cut = src;
    loop {
        cut = statement_start(cut, &mut line);
        if cut.is_empty() {
            break;
        }
        let (key, left, inherited) = key_name(cut, &mut line)?;
        if key.contains(' ') {
            return Err(format!("line {line}: key cannot contain a space"));
        }
        if inherited {
            if let Some(v) = lookup(&key) {
                out.insert(key, v);
            }
            cut = left;
            continue;
        }
        let (value, left) = value(left, &out, lookup, &mut line)?;
        out.insert(key, value);
        cut = left;
    }
    Ok(out)
}

fn is_space(c: char) -> bool {
    matches!(
        c,
        '\t' | '\u{b}' | '\u{c}' | '\r' | ' ' | '\u{85}' | '\u{a0}'
    )
}

fn statement_start<'a>(mut src: &'a str, line: &mut usize) -> &'a str {
    loop {
        let Some(pos) = src.find(|c: char| {
            if c == '\n' {
                *line += 1;
            }
            !c.is_whitespace()
        }) else {
            return "";
        };
        src = &src[pos..];
        if !src.starts_with('#') {
            return src;
        }
        match src.find('\n') {
            None => return "",
            Some(p) => src = &src[p..],
        }
    }
}

fn key_name<'a>(src: &'a str, line: &mut usize) -> Result<(String, &'a str, bool), String> {
    let mut src = src;
    if let Some(rest) = src.strip_prefix("export") {
        if rest.starts_with(char::is_whitespace) {
            src = rest.trim_start_matches(is_space);
        }
    }
    let mut key = None;
    let mut offset = 0;
    let mut inherited = false;
    for (i, c) in src.char_indices() {
        if is_space(c) {
            continue;
        }
        match c {
            '=' | ':' | '\n' => {
                key = Some(&src[..i]);
                offset = i + 1;
                inherited = c == '\n';
                break;
            }
            '_' | '.' | '-' | '[' | ']' => {}
            c if c.is_alphanumeric() => {}
            c => {
                let first = src.split('\n').next().unwrap_or("");
                return Err(format!(
                    "line {line}: unexpected character {:?} in variable name {first:?}",
                    c.to_string()
                ));
            }
        }
    }
    if src.is_empty() {
        return Err("zero length string".into());
    }
    // no separator until the end: Go leaves the key empty and reads the text as the value
    let key = key.unwrap_or("");
    if inherited && !key.contains(' ') {
        *line += 1;
    }
    let key = key.trim_end().to_string();
    let rest = src[offset.min(src.len())..].trim_start_matches(is_space);
    Ok((key, rest, inherited))
}

fn value<'a>(
    src: &'a str,
    env: &IndexMap<String, String>,
    lookup: &dyn Fn(&str) -> Option<String>,
    line: &mut usize,
) -> Result<(String, &'a str), String> {
    let Some(&quote @ (b'"' | b'\'')) = src.as_bytes().first() else {
        let (v, rest) = src.split_once('\n').unwrap_or((src, ""));
        *line += 1;
        let v = v.split_once(" #").map_or(v, |(a, _)| a);
        let v = v.trim_end();
        return Ok((expand(v, env, lookup)?, rest));
    };
    let b = src.as_bytes();
    let mut prev_escape = false;
    let mut chars: Vec<u8> = Vec::new();
    for i in 1..b.len() {
        let c = b[i];
        if c == b'\n' {
            *line += 1;
        }
        if c != quote {
            if !prev_escape && c == b'\\' {
                prev_escape = true;
                continue;
            }
            if prev_escape {
                prev_escape = false;
                chars.push(b'\\');
            }
            chars.push(c);
            continue;
        }
        if prev_escape {
            prev_escape = false;
            chars.push(c);
            continue;
        }
        let mut v = String::from_utf8_lossy(&chars).into_owned();
        if quote == b'"' {
            v = expand(&escapes(&v), env, lookup)?;
        }
        return Ok((v, &src[i + 1..]));
    }
    let end = src.find('\n').unwrap_or(src.len());
    Err(format!(
        "line {line}: unterminated quoted value {}",
        &src[..end]
    ))
}

/// `\a \b \c \f \n \r \t \v \$ \" \\ \0NNN` in double-quoted values (`\$` stays `$$`).
fn escapes(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut it = s.chars().peekable();
    while let Some(c) = it.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match it.peek().copied() {
            Some('a') => out.push('\u{7}'),
            Some('b') => out.push('\u{8}'),
            Some('f') => out.push('\u{c}'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('t') => out.push('\t'),
            Some('v') => out.push('\u{b}'),
            Some('$') => out.push_str("$$"),
            Some('"') => out.push('"'),
            Some('\\') => out.push('\\'),
            Some('c') => {
                // not a Go escape: kept as written
                out.push_str("\\c");
            }
            Some('0') => {
                it.next();
                let mut digits = String::new();
                while digits.len() < 3 {
                    match it.peek() {
                        Some(d) if d.is_ascii_digit() => {
                            digits.push(*d);
                            it.next();
                        }
                        _ => break,
                    }
                }
                match u32::from_str_radix(&digits, 8)
                    .ok()
                    .filter(|_| digits.len() == 3)
                {
                    Some(v) if v <= 255 => out.push(char::from_u32(v).unwrap_or('\u{fffd}')),
                    _ => {
                        out.push_str("\\0");
                        out.push_str(&digits);
                    }
                }
                continue;
            }
            _ => {
                out.push('\\');
                continue;
            }
        }
        it.next();
    }
    out
}

fn expand(
    v: &str,
    env: &IndexMap<String, String>,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<String, String> {
    template::substitute(
        v,
        &|k| lookup(k).or_else(|| env.get(k).cloned()),
        &mut |_| {},
    )
    .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(src: &str) -> IndexMap<String, String> {
        parse(src, &|k| (k == "FROM_ENV").then(|| "env".to_string())).unwrap()
    }

    #[test]
    fn documented_forms() {
        let m = p(concat!(
            "# comment\n",
            "PLAIN=value\n",
            "SPACED = spaced value  \n",
            "export EXPORTED=yes\n",
            "COLON: yaml-ish\n",
            "SINGLE='lit $PLAIN \\n'\n",
            "DOUBLE=\"a\\nb $PLAIN\"\n",
            "COMMENTED=value # comment\n",
            "HASH=val#ue\n",
            "REF=${PLAIN}-x\n",
            "DEFAULT=${NOPE:-dflt}\n",
            "EMPTY=\n",
            "FROM_ENV\n",
            "MISSING\n",
            "MULTI=\"line1\nline2\"\n",
            "ESCAPED_QUOTE=\"say \\\"hi\\\"\"\n",
            "DOLLAR=\"\\$HOME\"\n",
        ));
        assert_eq!(m["PLAIN"], "value");
        assert_eq!(m["SPACED"], "spaced value");
        assert_eq!(m["EXPORTED"], "yes");
        assert_eq!(m["COLON"], "yaml-ish");
        assert_eq!(m["SINGLE"], "lit $PLAIN \\n");
        assert_eq!(m["DOUBLE"], "a\nb value");
        assert_eq!(m["COMMENTED"], "value");
        assert_eq!(m["HASH"], "val#ue");
        assert_eq!(m["REF"], "value-x");
        assert_eq!(m["DEFAULT"], "dflt");
        assert_eq!(m["EMPTY"], "");
        assert_eq!(m["FROM_ENV"], "env");
        assert!(!m.contains_key("MISSING"));
        assert_eq!(m["MULTI"], "line1\nline2");
        assert_eq!(m["ESCAPED_QUOTE"], "say \"hi\"");
        assert_eq!(m["DOLLAR"], "$HOME");
    }

    #[test]
    fn errors() {
        assert!(parse("A B=1\n", &|_| None).is_err());
        assert!(parse("A=\"open\n", &|_| None).is_err());
        assert!(parse("A$=1\n", &|_| None).is_err());
    }

    #[test]
    fn no_panic_on_odd_inputs() {
        let pieces = [
            "A", "=", ":", "\n", "\"", "'", "\\", "#", " ", "$", "{", "}", "export ", "é", "\r",
            "\\0", "\t",
        ];
        for a in pieces {
            for b in pieces {
                for c in pieces {
                    for d in pieces {
                        let _ = parse(&format!("{a}{b}{c}{d}"), &|_| None);
                    }
                }
            }
        }
    }
}
