#!/usr/bin/env bash
# Runs every cargo-fuzz target of fuzz/ for a share of a fixed budget (default 60 s in all)
# and fails if any of them finds a crash. Seed corpora come from testdata/ (the fixtures and
# the conformance cases) and grow in fuzz/corpus/ (not committed).
#
#   scripts/fuzz.sh [TOTAL_SECONDS]
#
# Stable toolchain only: RUSTC_BOOTSTRAP=1 lets cargo-fuzz pass its -Z flags, and the
# targets are built without a sanitizer (-s none; Rust code needs none to catch panics,
# overflows in debug assertions are on).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
total=${1:-60}
targets=(hcl hcl_json compose set dotenv)
per=$(( total / ${#targets[@]} ))
[ "$per" -ge 1 ] || per=1
export RUSTC_BOOTSTRAP=1
target_dir=${CARGO_TARGET_DIR:-$root/target}/fuzz

command -v cargo-fuzz >/dev/null 2>&1 || cargo install cargo-fuzz --locked

seed() { # seed TARGET FILE...: copies files into the target's corpus, named by content
  local dir="$root/fuzz/corpus/$1"; shift
  mkdir -p "$dir"
  for f in "$@"; do
    [ -f "$f" ] || continue
    cp "$f" "$dir/seed-$(sha1sum < "$f" | cut -c1-16)"
  done
}
cd "$root/testdata"
seed hcl $(find . -name '*.hcl' -size -64k)
seed hcl_json $(find . -name '*.json' -size -64k ! -name 'expected*')
seed compose $(find . \( -name '*.yaml' -o -name '*.yml' \) -size -64k)
seed dotenv $(find . \( -name '.env' -o -name '*.env' -o -name 'env' \) -size -64k)
# --set seeds: the target names and --set values of the conformance cases (one per line).
setdir="$root/fuzz/corpus/set"; mkdir -p "$setdir"
for a in conformance/cases/*/args; do
  grep -q -- '^--set$' "$a" || continue
  { echo "app db"; awk 'p { print; p = 0 } /^--set$/ { p = 1 }' "$a"; } > "$setdir/seed-${a//\//_}"
done
cd "$root/fuzz"

cargo fuzz build -s none --target-dir "$target_dir"
status=0
for t in "${targets[@]}"; do
  mkdir -p "artifacts/$t"
  echo "== fuzz $t (${per}s)"
  log=$(mktemp)
  if ! cargo fuzz run -s none --target-dir "$target_dir" "$t" "corpus/$t" -- \
      -max_total_time="$per" -timeout=10 -rss_limit_mb=4096 -max_len=65536 \
      -print_final_stats=1 >"$log" 2>&1; then
    tail -n 60 "$log"
    echo "FAIL: fuzz target $t found a crash (see fuzz/artifacts/$t)"
    status=1
  fi
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
  echo "$t: ${runs:-?} runs, ${speed:-?} exec/s"
  rm -f "$log"
done
exit $status
