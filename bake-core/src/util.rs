//! Small ports of Go standard-library behaviour the engine depends on: `path.Clean`,
//! `strconv.ParseBool`, the single-line CSV reader buildx uses (`go-csvvalue`), and
//! remote-URL detection (`urlutil.IsRemoteURL`).

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

/// The multiply-rotate hash of rustc's `FxHasher`: much cheaper than SipHash for the short
/// name keys of the resolver's maps (inputs are the user's own files, not adversarial).
#[derive(Debug, Default, Clone, Copy)]
pub struct FxHasher {
    hash: u64,
}

const FX_SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FxHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(FX_SEED);
    }
}

impl std::hash::Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            self.add(u64::from_le_bytes([
                c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7],
            ]));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut buf = [0u8; 8];
            buf[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(buf));
        }
    }

    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    #[inline]
    fn finish(&self) -> u64 {
        self.hash
    }
}

/// [`FxHasher`] for `HashMap` / `HashSet` / `IndexMap`.
pub type FxBuildHasher = std::hash::BuildHasherDefault<FxHasher>;

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

/// Splits one CSV line into fields as Go's `encoding/csv` (and `go-csvvalue`) does:
/// `,`-separated, `"`-quoted fields with `""` as an escaped quote, no trimming.
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

/// `dedupSlice`: keeps the first occurrence of each value.
#[must_use]
pub fn dedup(v: &[String]) -> Vec<String> {
    let mut seen: std::collections::HashSet<&str, FxBuildHasher> =
        std::collections::HashSet::with_capacity_and_hasher(v.len(), FxBuildHasher::default());
    v.iter()
        .filter(|s| seen.insert(s.as_str()))
        .cloned()
        .collect()
}

/// [`dedup`] of a list that is not needed afterwards (no copies).
#[must_use]
pub fn dedup_owned(v: Vec<String>) -> Vec<String> {
    let keep: Vec<bool> = {
        let mut seen: std::collections::HashSet<&str, FxBuildHasher> =
            std::collections::HashSet::with_capacity_and_hasher(v.len(), FxBuildHasher::default());
        v.iter().map(|s| seen.insert(s.as_str())).collect()
    };
    if keep.iter().all(|k| *k) {
        return v;
    }
    v.into_iter()
        .zip(keep)
        .filter_map(|(s, k)| k.then_some(s))
        .collect()
}

/// `removeDupesStr`: keeps the first occurrence of each value and drops empty strings.
#[must_use]
pub fn remove_dupes_str(mut v: Vec<String>) -> Vec<String> {
    // Short lists (tags, platforms) are deduplicated in place without allocating.
    if v.len() <= 16 {
        let mut kept = 0;
        for i in 0..v.len() {
            if v[i].is_empty() || v[..kept].contains(&v[i]) {
                continue;
            }
            v.swap(kept, i);
            kept += 1;
        }
        v.truncate(kept);
        return v;
    }
    let mut seen: std::collections::HashSet<String, FxBuildHasher> =
        std::collections::HashSet::default();
    v.into_iter()
        .filter(|s| !s.is_empty() && seen.insert(s.clone()))
        .collect()
}

/// buildflags' `removeDupes`: walks backwards and swaps each later duplicate with the last
/// element before truncating, which can reorder the remaining entries (as buildx does).
#[must_use]
pub fn remove_dupes_swap<T: PartialEq>(mut s: Vec<T>) -> Vec<T> {
    if s.len() < 2 {
        return s;
    }
    let mut i = s.len() - 1;
    while i > 0 {
        i -= 1;
        for j in i + 1..s.len() {
            if s[i] == s[j] {
                let last = s.len() - 1;
                s.swap(j, last);
                s.truncate(last);
                break;
            }
        }
    }
    s
}

/// The closest candidate to `name` (Levenshtein distance below 3), for "did you mean".
#[must_use]
pub fn did_you_mean<'a, I>(name: &str, candidates: I) -> Option<String>
where
    I: IntoIterator<Item = &'a str>,
{
    candidates
        .into_iter()
        .filter(|c| *c != name)
        .map(|c| (strsim::levenshtein(name, c), c))
        .filter(|(d, _)| *d < 3)
        .min_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(b.1)))
        .map(|(_, c)| format!("did you mean `{c}`?"))
}

/// The largest file bake reads (`.env`, Compose `include`/`extends`/`env_file`, ssh keys).
pub const MAX_FILE_SIZE: u64 = 64 << 20;

/// Reads a regular file as UTF-8 text, refusing what is not one: a FIFO or a device would
/// block or never end, a directory is a mistake. Symlinks are followed (a loop fails with
/// the system's error), and files over [`MAX_FILE_SIZE`] are refused.
///
/// # Errors
/// The system's error, `InvalidInput` for a file that is not regular or too large, and
/// `InvalidData` for text that is not UTF-8.
pub fn read_regular(path: &std::path::Path) -> std::io::Result<String> {
    use std::io::Read;
    let md = std::fs::metadata(path)?;
    if md.is_dir() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "is a directory",
        ));
    }
    if !md.is_file() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "not a regular file",
        ));
    }
    if md.len() > MAX_FILE_SIZE {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("larger than the limit of {} MiB", MAX_FILE_SIZE >> 20),
        ));
    }
    let mut buf = Vec::new();
    std::fs::File::open(path)?
        .take(MAX_FILE_SIZE + 1)
        .read_to_end(&mut buf)?;
    if buf.len() as u64 > MAX_FILE_SIZE {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("larger than the limit of {} MiB", MAX_FILE_SIZE >> 20),
        ));
    }
    String::from_utf8(buf).map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))
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
    fn remove_dupes_fast_path() {
        let reference = |v: Vec<String>| -> Vec<String> {
            let mut seen = std::collections::HashSet::new();
            v.into_iter()
                .filter(|s| !s.is_empty() && seen.insert(s.clone()))
                .collect()
        };
        for n in [0, 1, 2, 5, 16, 17, 40] {
            let v: Vec<String> = (0..n)
                .map(|i| {
                    ["a", "", "b", "a", "c", "b"][(i * 7) % 6].to_string() + &(i % 5).to_string()
                })
                .collect();
            assert_eq!(remove_dupes_str(v.clone()), reference(v));
        }
        let v: Vec<String> = ["x", "", "y", "x", "", "z", "y"].map(String::from).to_vec();
        assert_eq!(remove_dupes_str(v), ["x", "y", "z"]);
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
    }

    #[test]
    fn dupes() {
        assert_eq!(remove_dupes_swap(vec![1, 1, 2, 3]), vec![1, 3, 2]);
        assert_eq!(remove_dupes_swap(vec![1, 2, 1]), vec![1, 2]);
        assert_eq!(
            remove_dupes_str(vec!["a".into(), "".into(), "a".into(), "b".into()]),
            vec!["a", "b"]
        );
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
        assert_eq!(parse_bool("T"), Some(true));
        assert_eq!(parse_bool("maybe"), None);
    }

    #[test]
    fn suggestions() {
        assert_eq!(
            did_you_mean("ap", ["app", "other"]),
            Some("did you mean `app`?".to_string())
        );
        assert_eq!(did_you_mean("zzzzz", ["app"]), None);
    }
}
