//! Keeps `public-api.txt` (at the workspace root) in step with the public items of the
//! library crates, so API changes show up in review. Regenerate with
//! `BAKE_UPDATE_PUBLIC_API=1 cargo test -p bake-core --test public_api`.
//!
//! The list is read from the sources (rustdoc's JSON needs a nightly toolchain): every `pub`
//! item of `bake-core`, `bake-hcl`, `bake-compose` and `bake-dispatch`, named by module path, with methods
//! under the type of their `impl` block.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// `bake_hcl::functions::misc` for `bake-hcl/src/functions/misc.rs`.
fn module_path(krate: &str, src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).unwrap_or(file);
    let mut parts = vec![krate.replace('-', "_")];
    for c in rel.with_extension("").components() {
        let c = c.as_os_str().to_string_lossy().into_owned();
        if c != "lib" && c != "mod" {
            parts.push(c);
        }
    }
    parts.join("::")
}

fn item_name(rest: &str) -> Option<(&'static str, String)> {
    const KINDS: [&str; 9] = [
        "fn ", "struct ", "enum ", "trait ", "type ", "const ", "static ", "mod ", "use ",
    ];
    let rest = rest
        .trim_start_matches("async ")
        .trim_start_matches("unsafe ");
    for k in KINDS {
        if let Some(r) = rest.strip_prefix(k) {
            let name: String = if k == "use " {
                r.trim_end_matches(';').to_string()
            } else {
                r.chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect()
            };
            return Some((k.trim(), name));
        }
    }
    None
}

fn public_items() -> BTreeSet<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut items = BTreeSet::new();
    for krate in [
        "bake-core",
        "bake-hcl",
        "bake-compose",
        "bake-dispatch",
        "bake",
    ] {
        let src = root.join(krate).join("src");
        let mut files = Vec::new();
        rust_files(&src, &mut files);
        for file in files {
            let module = module_path(krate, &src, &file);
            let text = std::fs::read_to_string(&file).expect("readable source");
            let mut in_tests = false;
            let mut impl_of: Option<(usize, String)> = None;
            for line in text.lines() {
                let indent = line.len() - line.trim_start().len();
                let t = line.trim_start();
                if t.starts_with("#[cfg(test)]") {
                    in_tests = true;
                }
                if in_tests {
                    continue;
                }
                if let Some((depth, _)) = &impl_of {
                    if indent <= *depth && t.starts_with('}') {
                        impl_of = None;
                    }
                }
                if t.starts_with("impl") && t.ends_with('{') {
                    let head = t.trim_end_matches('{').trim();
                    let ty = head.rsplit(" for ").next().unwrap_or(head);
                    let ty = ty.trim_start_matches("impl").trim();
                    let ty = if ty.starts_with('<') {
                        ty.split_once("> ").map_or(ty, |(_, r)| r)
                    } else {
                        ty
                    };
                    let ty: String = ty
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect();
                    impl_of = Some((indent, ty));
                    continue;
                }
                let Some(rest) = t.strip_prefix("pub ") else {
                    continue;
                };
                let Some((kind, name)) = item_name(rest) else {
                    continue;
                };
                let path = match (&impl_of, kind) {
                    (Some((_, ty)), "fn" | "const" | "type") => format!("{module}::{ty}::{name}"),
                    _ => format!("{module}::{name}"),
                };
                items.insert(format!("{kind} {path}"));
            }
        }
    }
    items
}

#[test]
fn public_api_matches_the_snapshot() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../public-api.txt");
    let mut now = String::from(
        "# The public items of bake-core, bake-hcl, bake-compose and bake-dispatch (see bake-core/tests/public_api.rs).\n",
    );
    for i in public_items() {
        now.push_str(&i);
        now.push('\n');
    }
    if std::env::var("BAKE_UPDATE_PUBLIC_API").is_ok_and(|v| v == "1") {
        std::fs::write(&path, &now).expect("write public-api.txt");
        return;
    }
    let before = std::fs::read_to_string(&path).unwrap_or_default();
    if before != now {
        let old: BTreeSet<&str> = before.lines().collect();
        let new: BTreeSet<&str> = now.lines().collect();
        let added: Vec<&&str> = new.difference(&old).collect();
        let removed: Vec<&&str> = old.difference(&new).collect();
        panic!(
            "the public API changed; review and run BAKE_UPDATE_PUBLIC_API=1 cargo test -p bake-core --test public_api\nadded: {added:#?}\nremoved: {removed:#?}"
        );
    }
}
