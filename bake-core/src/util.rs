//! Helpers that are not ports of Go library functions (those are in [`crate::go`]): a fast
//! hasher for the resolver's maps, the list deduplication buildx's own code does, "did you
//! mean" suggestions for every crate's diagnostics, and reading input files safely.

/// The multiply-rotate hash of rustc's `FxHasher`: much cheaper than `SipHash` for the short
/// name keys of the resolver's maps (inputs are the user's own files, not adversarial).
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct FxHasher {
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
pub(crate) type FxBuildHasher = std::hash::BuildHasherDefault<FxHasher>;

/// `dedupSlice`: keeps the first occurrence of each value.
#[must_use]
pub(crate) fn dedup(v: &[String]) -> Vec<String> {
    let mut seen: std::collections::HashSet<&str, FxBuildHasher> =
        std::collections::HashSet::with_capacity_and_hasher(v.len(), FxBuildHasher::default());
    v.iter()
        .filter(|s| seen.insert(s.as_str()))
        .cloned()
        .collect()
}

/// [`dedup`] of a list that is not needed afterwards (no copies).
#[must_use]
pub(crate) fn dedup_owned(v: Vec<String>) -> Vec<String> {
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
pub(crate) fn remove_dupes_str(mut v: Vec<String>) -> Vec<String> {
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
pub(crate) fn remove_dupes_swap<T: PartialEq>(mut s: Vec<T>) -> Vec<T> {
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
    fn dupes() {
        assert_eq!(remove_dupes_swap(vec![1, 1, 2, 3]), vec![1, 3, 2]);
        assert_eq!(remove_dupes_swap(vec![1, 2, 1]), vec![1, 2]);
        assert_eq!(
            remove_dupes_str(vec!["a".into(), String::new(), "a".into(), "b".into()]),
            vec!["a", "b"]
        );
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
