//! Ports of the Go library behaviour bake must reproduce exactly, in one place for every
//! crate: `path.Clean` and `filepath.Join`, `strconv.ParseBool` and `strconv.Quote`, the
//! single-line CSV reader buildx uses (`go-csvvalue`) and the writer's quoting, and remote-URL
//! detection (`urlutil.IsRemoteURL`, `buildflags.IsGitSSH`).
//!
//! Each function names the Go function it follows; where the port knowingly stops short of
//! Go, its documentation says so.

/// Go's `path.Clean`: lexical cleaning of a slash-separated path.
#[must_use]
pub fn clean_path(p: &str) -> String {
    if p.is_empty() {
        return ".".to_string();
    }
    if is_clean(p) {
        return p.to_string();
    }
    clean_path_full(p)
}

fn clean_path_full(p: &str) -> String {
    let rooted = p.starts_with('/');
    let mut out: Vec<&str> = Vec::new();
    for seg in p.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                if matches!(out.last(), Some(last) if *last != "..") {
                    out.pop();
                } else if !rooted {
                    out.push("..");
                }
            }
            s => out.push(s),
        }
    }
    let joined = out.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".to_string(),
        (false, false) => joined,
    }
}

/// Whether [`clean_path`] leaves `p` as it is: `/` alone, or no empty, `.` or `..` segment
/// (so no doubled, leading-relative or trailing slash).
#[must_use]
pub fn is_clean(p: &str) -> bool {
    if p == "/" {
        return true;
    }
    let rest = p.strip_prefix('/').unwrap_or(p);
    !rest.is_empty() && rest.split('/').all(|seg| !matches!(seg, "" | "." | ".."))
}

/// Go's `filepath.Join(base, p)` on Unix (empty elements ignored, result cleaned).
#[must_use]
pub fn join_path(base: &str, p: &str) -> String {
    match (base.is_empty(), p.is_empty()) {
        (true, true) => String::new(),
        (true, false) => clean_path(p),
        (false, true) => clean_path(base),
        (false, false) => clean_path(&format!("{base}/{p}")),
    }
}

/// Go's `strconv.ParseBool`.
#[must_use]
pub fn parse_bool(s: &str) -> Option<bool> {
    match s {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

/// Go's `strconv.Quote` (what `%q` prints for a string): `"`-quoted, with Go's escapes for
/// `"`, `\` and control characters (`\a`, `\b`, `\f`, `\n`, `\r`, `\t`, `\v`, `\x7f` and
/// `\xNN` below U+0020, `\uNNNN` / `\UNNNNNNNN` for other control characters). Unlike Go,
/// only control characters count as unprintable: other runes Go's `IsPrint` rejects
/// (unassigned code points, format characters, spaces other than U+0020) are kept as they are.
#[must_use]
pub fn quote(x: &str) -> String {
    let mut out = String::from("\"");
    for c in x.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\u{b}' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c if c.is_control() => {
                if (c as u32) < 0x10000 {
                    out.push_str(&format!("\\u{:04x}", c as u32));
                } else {
                    out.push_str(&format!("\\U{:08x}", c as u32));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Splits one CSV line into fields as Go's `encoding/csv` (and `go-csvvalue`) does:
/// `,`-separated, `"`-quoted fields with `""` as an escaped quote, no trimming.
///
/// # Errors
/// Go's messages for a `"` inside an unquoted field (`bare " in non-quoted-field`) and for a
/// quoted field that is not closed or is followed by more text (`extraneous or missing " in
/// quoted-field`).
pub fn csv_fields(s: &str) -> Result<Vec<String>, String> {
    let mut fields = Vec::new();
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    loop {
        let mut field = String::new();
        if i < chars.len() && chars[i] == '"' {
            i += 1;
            loop {
                if i >= chars.len() {
                    return Err("extraneous or missing \" in quoted-field".to_string());
                }
                if chars[i] == '"' {
                    if i + 1 < chars.len() && chars[i + 1] == '"' {
                        field.push('"');
                        i += 2;
                        continue;
                    }
                    i += 1;
                    break;
                }
                field.push(chars[i]);
                i += 1;
            }
            if i < chars.len() && chars[i] != ',' {
                return Err("extraneous or missing \" in quoted-field".to_string());
            }
        } else {
            while i < chars.len() && chars[i] != ',' {
                if chars[i] == '"' {
                    return Err("bare \" in non-quoted-field".to_string());
                }
                field.push(chars[i]);
                i += 1;
            }
        }
        fields.push(field);
        if i >= chars.len() {
            break;
        }
        i += 1; // the comma
    }
    Ok(fields)
}

/// Writes one CSV field as Go's `csv.Writer` would (quoted when it holds `,` or `"`).
#[must_use]
pub fn csv_quote(field: &str) -> String {
    if field.contains(',') || field.contains('"') {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_string()
    }
}

/// Whether `s` is a Git URL in scp form (`user@host:path`).
fn is_scp_like(s: &str) -> bool {
    let Some((user, rest)) = s.split_once('@') else {
        return false;
    };
    if user.is_empty()
        || !user
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return false;
    }
    let Some((host, _)) = rest.split_once(':') else {
        return false;
    };
    !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
}

/// `urlutil.IsRemoteURL`: HTTP(S) URLs and Git references.
#[must_use]
pub fn is_remote_url(s: &str) -> bool {
    if s.starts_with("http://") || s.starts_with("https://") {
        return true;
    }
    if s.starts_with("./") || s.starts_with("../") {
        return false;
    }
    s.starts_with("github.com/")
        || s.starts_with("git://")
        || s.starts_with("ssh://")
        || is_scp_like(s)
}

/// `buildflags.IsGitSSH`: a Git URL accessed over SSH.
#[must_use]
pub fn is_git_ssh(s: &str) -> bool {
    s.starts_with("ssh://") || is_scp_like(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean() {
        for (i, o) in [
            ("", "."),
            ("./app/../app/src/", "app/src"),
            ("../sibling", "../sibling"),
            ("/abs/path/", "/abs/path"),
            ("/..", "/"),
            ("a/../..", ".."),
            ("./src", "src"),
            ("a//b/./c/", "a/b/c"),
            ("../../x/..", "../.."),
            ("a//b/../c/", "a/c"),
        ] {
            assert_eq!(clean_path(i), o, "{i}");
        }
        assert_eq!(join_path("sub", "./ctx"), "sub/ctx");
        // The already-clean fast path agrees with the full cleaning on every short path.
        let mut paths = vec![String::new()];
        for _ in 0..4 {
            let next: Vec<String> = paths
                .iter()
                .flat_map(|p| ["a", "/", ".", ".."].map(|x| format!("{p}{x}")))
                .collect();
            paths.extend(next);
        }
        for p in &paths {
            if is_clean(p) {
                assert_eq!(&clean_path_full(p), p);
            }
        }
        assert_eq!(join_path(".", "."), ".");
    }

    #[test]
    fn join() {
        assert_eq!(join_path("", "./web"), "web");
        assert_eq!(join_path("", "."), ".");
        assert_eq!(join_path("", ""), "");
        assert_eq!(join_path("sub", "./lib"), "sub/lib");
        assert_eq!(join_path("sub", "../x"), "x");
        assert_eq!(join_path("sub/", ""), "sub");
    }

    #[test]
    fn csv() {
        assert_eq!(csv_fields("a,b").unwrap(), vec!["a", "b"]);
        assert_eq!(csv_fields("").unwrap(), vec![""]);
        assert_eq!(csv_fields("\"a,b\",c").unwrap(), vec!["a,b", "c"]);
        assert!(csv_fields("c=\"\"").is_err());
        assert_eq!(csv_fields("\"x\"\"y\"").unwrap(), vec!["x\"y"]);
        assert!(csv_fields("a\"b").is_err());
        assert!(csv_fields("\"ab").is_err());
        assert!(csv_fields("\"a\"b").is_err());
        assert_eq!(csv_quote("a"), "a");
        assert_eq!(csv_quote("a,b"), "\"a,b\"");
        assert_eq!(csv_quote("x\"y"), "\"x\"\"y\"");
    }

    #[test]
    fn urls() {
        assert!(is_remote_url("https://github.com/docker/buildx.git#master"));
        assert!(is_remote_url("git@github.com:docker/buildx.git"));
        assert!(is_remote_url("github.com/docker/buildx"));
        assert!(!is_remote_url("./src"));
        assert!(!is_remote_url("src"));
        assert!(is_git_ssh("git@github.com:a/b.git"));
        assert!(!is_git_ssh("https://github.com/a/b.git"));
    }

    #[test]
    fn bools() {
        assert_eq!(parse_bool("T"), Some(true));
        assert_eq!(parse_bool("maybe"), None);
        for t in ["1", "t", "T", "TRUE", "true", "True"] {
            assert_eq!(parse_bool(t), Some(true), "{t}");
        }
        for f in ["0", "f", "F", "FALSE", "false", "False"] {
            assert_eq!(parse_bool(f), Some(false), "{f}");
        }
        for bad in ["", " true", "yes", "tRUE", "2"] {
            assert_eq!(parse_bool(bad), None, "{bad}");
        }
    }

    #[test]
    fn quoting() {
        assert_eq!(quote(""), "\"\"");
        assert_eq!(quote("a\"b\\c"), "\"a\\\"b\\\\c\"");
        assert_eq!(
            quote("\n\r\t\u{7}\u{8}\u{c}\u{b}"),
            "\"\\n\\r\\t\\a\\b\\f\\v\""
        );
        assert_eq!(quote("\u{1}\u{7f}"), "\"\\x01\\x7f\"");
        assert_eq!(quote("\u{85}"), "\"\\u0085\"");
        assert_eq!(quote("é😀"), "\"é😀\"");
    }
}
