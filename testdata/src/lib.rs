//! Shared fixtures for tests and benchmarks: the repository's `testdata/` directory and the
//! generated benchmark bake files (the same shape as `shared/bench/gen.py` writes).

use std::fmt::Write as _;
use std::path::PathBuf;

/// The `testdata/` directory.
#[must_use]
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every file under `testdata/` whose name ends in `.EXT`, in path order.
#[must_use]
pub fn files_with_extension(ext: &str) -> Vec<PathBuf> {
    fn walk(dir: &std::path::Path, ext: &str, out: &mut Vec<PathBuf>) {
        let Ok(rd) = std::fs::read_dir(dir) else {
            return;
        };
        let mut entries: Vec<PathBuf> = rd.filter_map(Result::ok).map(|e| e.path()).collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                walk(&p, ext, out);
            } else if p.extension().is_some_and(|e| e == ext) {
                out.push(p);
            }
        }
    }
    let mut out = Vec::new();
    walk(&root(), ext, &mut out);
    out
}

/// A bake file with `n` targets sharing a parent, a user function, variables and a
/// `target:` context on nine of every ten targets (gen.py's `n{N}` files).
#[must_use]
pub fn generated(n: usize) -> String {
    let mut s = String::with_capacity(n * 240);
    s.push_str("variable \"REGISTRY\" { default = \"ghcr.io/acme\" }\n");
    s.push_str("variable \"TAG\" { default = \"v1\" }\n");
    s.push_str(
        "function \"img\" {\n  params = [name]\n  result = \"${REGISTRY}/${name}:${TAG}\"\n}\n",
    );
    s.push_str("target \"_common\" {\n  args = { GO_VERSION = \"1.22\", BASE = \"alpine\" }\n");
    s.push_str(
        "  labels = { \"org.opencontainers.image.source\" = \"https://github.com/acme/x\" }\n",
    );
    s.push_str("  platforms = [\"linux/amd64\", \"linux/arm64\"]\n}\n");
    for i in 0..n {
        let ctx = if i % 10 == 0 {
            String::new()
        } else {
            format!("\n  contexts = {{ base = \"target:svc{}\" }}", i / 10 * 10)
        };
        let _ = write!(
            s,
            "target \"svc{i}\" {{\n  inherits = [\"_common\"]\n  context = \"services/svc{i}\"\n  tags = [img(\"svc{i}\"), \"${{REGISTRY}}/svc{i}:latest\"]\n  args = {{ SERVICE = upper(\"svc{i}\"), INDEX = \"{i}\" }}{ctx}\n}}\n"
        );
    }
    s.push_str("group \"default\" {\n  targets = [");
    for i in 0..n {
        if i > 0 {
            s.push(',');
        }
        let _ = write!(s, "\"svc{i}\"");
    }
    s.push_str("]\n}\n");
    s
}
