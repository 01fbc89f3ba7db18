//! Finding and reading the bake files: `-f` (repeatable, `-` for stdin), else
//! `BUILDX_BAKE_FILE`, else the default names in buildx's order.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

use bake_core::source::{SourceId, SourceMap};

use crate::{fail, Failure};

/// The compose names and bake names buildx looks for, in its order.
pub const DEFAULT_FILES: &[&str] = &[
    "compose.yaml",
    "compose.yml",
    "docker-compose.yml",
    "docker-compose.yaml",
    "docker-bake.json",
    "docker-bake.hcl",
    "docker-bake.override.json",
    "docker-bake.override.hcl",
];

fn read_file(cwd: &Path, name: &str) -> Result<Option<String>, Failure> {
    let path = cwd.join(name);
    let meta = match std::fs::metadata(&path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(fail(format!("failed to read {name}: {e}"), None)),
    };
    if meta.is_dir() {
        return Err(fail(
            format!("failed to read {name}: is a directory"),
            Some("name a bake file, not a directory".into()),
        ));
    }
    if !meta.is_file() {
        return Err(fail(
            format!("failed to read {name}: not a regular file"),
            None,
        ));
    }
    let bytes =
        std::fs::read(&path).map_err(|e| fail(format!("failed to read {name}: {e}"), None))?;
    String::from_utf8(bytes).map(Some).map_err(|e| {
        fail(
            format!(
                "failed to read {name}: the file is not valid UTF-8 (byte {})",
                e.utf8_error().valid_up_to()
            ),
            None,
        )
    })
}

/// Reads the bake files of this invocation into `sources`; returns their ids in order.
pub fn discover(
    given: &[String],
    env: &BTreeMap<String, String>,
    cwd: &Path,
    stdin: &mut dyn Read,
    sources: &mut SourceMap,
) -> Result<Vec<SourceId>, Failure> {
    let mut names: Vec<String> = given
        .iter()
        .map(|n| n.strip_prefix("cwd://").unwrap_or(n).to_string())
        .collect();
    let mut defaults = false;
    if names.is_empty() {
        if let Some(f) = env.get("BUILDX_BAKE_FILE") {
            let sep = env
                .get("BUILDX_BAKE_PATH_SEPARATOR")
                .filter(|s| !s.is_empty())
                .cloned()
                .unwrap_or_else(|| ":".to_string());
            for p in f.split(sep.as_str()) {
                let p = p.trim();
                if p.is_empty() {
                    continue;
                }
                if p != "-" && !cwd.join(p).exists() {
                    return Err(fail(format!("stat {p}: no such file or directory"), None));
                }
                names.push(p.to_string());
            }
        }
    }
    if names.is_empty() {
        defaults = true;
        names = DEFAULT_FILES.iter().map(|s| (*s).to_string()).collect();
    }
    let mut out = Vec::new();
    for name in names {
        let text = if name == "-" {
            let mut buf = Vec::new();
            stdin
                .read_to_end(&mut buf)
                .map_err(|e| fail(format!("failed to read standard input: {e}"), None))?;
            String::from_utf8(buf)
                .map_err(|_| fail("failed to read standard input: not valid UTF-8", None))?
        } else {
            match read_file(cwd, &name)? {
                Some(t) => t,
                None if defaults => continue,
                None => {
                    return Err(fail(
                        format!("failed to read {name}: open {name}: no such file or directory"),
                        Some("check the path given with -f".into()),
                    ))
                }
            }
        };
        if defaults && text.trim().is_empty() {
            continue;
        }
        // Which frontend reads it (Compose, HCL or HCL-JSON) is theirs to say.
        out.push(sources.add(name, text));
    }
    Ok(out)
}
