#!/usr/bin/env bash
# Writes public-api.txt: every item a user of the library crates can name, read from rustdoc's
# JSON output (what the compiler says is public and reachable, re-exports followed), one line
# each. CI runs it and fails if the file changes, so API changes show in review.
#   usage: scripts/public-api.sh [--check]
# rustdoc's JSON output is unstable: RUSTC_BOOTSTRAP=1 lets the stable toolchain write it.
set -euo pipefail
cd "$(dirname "$0")/.."
crates=(bake-core bake-hcl bake-compose bake-dispatch bake-history bake)
for c in "${crates[@]}"; do
  RUSTC_BOOTSTRAP=1 RUSTDOCFLAGS="-Z unstable-options --output-format json" \
    cargo doc --no-deps --locked -q -p "$c" 2>/dev/null
done
out=public-api.txt
[[ ${1:-} == --check ]] && out=$(mktemp)
python3 - "${CARGO_TARGET_DIR:-target}/doc" "$out" "${crates[@]}" <<'PY'
import json, sys
doc, out, crates = sys.argv[1], sys.argv[2], sys.argv[3:]
lines = set()
for crate in crates:
    name = crate.replace("-", "_")
    d = json.load(open(f"{doc}/{name}.json"))
    idx = d["index"]
    seen = set()

    def kind(item):
        return next(iter(item["inner"]))

    def methods(impl_ids, path):
        for i in impl_ids:
            imp = idx.get(str(i))
            if not imp or imp["inner"]["impl"]["trait"] is not None:
                continue  # trait impls (derives, Display, ...) are left out
            for m in imp["inner"]["impl"]["items"]:
                it = idx.get(str(m))
                if it and it.get("visibility") == "public":
                    lines.add(f"{kind(it).replace('function', 'fn')} {path}::{it['name']}")

    def visit(i, path):
        item = idx.get(str(i))
        if item is None or (i, path) in seen:
            return
        seen.add((i, path))
        k = kind(item)
        inner = item["inner"][k]
        if k == "module":
            lines.add(f"mod {path}")
            for c in inner["items"]:
                child = idx.get(str(c))
                if child and child.get("visibility") == "public":
                    if kind(child) == "use":
                        u = child["inner"]["use"]
                        if u["id"] is not None and str(u["id"]) in idx:
                            target = idx[str(u["id"])]
                            if u["is_glob"] and kind(target) == "module":
                                for g in target["inner"]["module"]["items"]:
                                    gi = idx.get(str(g))
                                    if gi and gi.get("visibility") == "public" and gi.get("name"):
                                        visit(g, f"{path}::{gi['name']}")
                            else:
                                visit(u["id"], f"{path}::{u['name']}")
                        else:
                            lines.add(f"use {path}::{u['name']} = {u['source']}")
                    elif child.get("name"):
                        visit(c, f"{path}::{child['name']}")
            return
        label = {"function": "fn", "constant": "const", "type_alias": "type",
                 "macro": "macro", "static": "static"}.get(k, k)
        lines.add(f"{label} {path}")
        if k == "struct":
            plain = inner["kind"].get("plain") if isinstance(inner["kind"], dict) else None
            for f in (plain or {}).get("fields", []):
                fi = idx.get(str(f))
                if fi and fi.get("visibility") == "public":
                    lines.add(f"field {path}::{fi['name']}")
            methods(inner["impls"], path)
        elif k == "enum":
            for v in inner["variants"]:
                lines.add(f"variant {path}::{idx[str(v)]['name']}")
            methods(inner["impls"], path)
        elif k == "trait":
            for t in inner["items"]:
                lines.add(f"{kind(idx[str(t)]).replace('function', 'fn')} {path}::{idx[str(t)]['name']}")
        elif k == "union":
            methods(inner["impls"], path)

    visit(d["root"], name)
with open(out, "w") as f:
    f.write("# Every public item of the library crates, from rustdoc's JSON (scripts/public-api.sh).\n")
    for l in sorted(lines):
        f.write(l + "\n")
PY
if [[ ${1:-} == --check ]]; then
  if ! diff -u public-api.txt "$out"; then
    echo "public-api.txt is out of date: review the change and run scripts/public-api.sh" >&2
    exit 1
  fi
fi
