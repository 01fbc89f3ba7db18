#!/usr/bin/env bash
# `--print` speed and memory against the reference, side by side in one run: the files of
# ../shared/bench/gen.py (or GEN_DIR, made by it), `bake --print` and `docker buildx bake
# --print` (REF, default `docker buildx bake`) interleaved, best wall time and largest peak
# RSS of RUNS runs each (GNU time). The reference runs on n5000 only (it is quadratic: minutes
# on n20000).
# Usage: scripts/print-bench.sh BAKE [RUNS]
set -euo pipefail
BAKE=$(realpath "$1"); RUNS=${2:-5}
REF=${REF:-docker buildx bake}
GEN=${GEN_DIR:-}
if [ -z "$GEN" ]; then
  GEN=$(mktemp -d); trap 'rm -rf "$GEN"' EXIT
  python3 "$(dirname "$0")/../../shared/bench/gen.py" "$GEN" >/dev/null
fi
one() { # one DIR CMD...: "seconds maxrss_kb" of one --print run (GNU time's RSS; the wall
  # time from the clock around it, as GNU time rounds to 10 ms)
  local s e m
  s=$(date +%s%N)
  m=$(cd "$1" && /usr/bin/time -f '%M' "${@:2}" --print 2>&1 >/dev/null | tail -1)
  e=$(date +%s%N)
  echo "$(echo "scale=3; ($e - $s) / 1000000000" | bc) $m"
}
best() { sort -n | head -1; }
most() { sort -n | tail -1; }
declare -A T M
for n in n5000 n20000; do
  for r in $(seq "$RUNS"); do
    read -r s m < <(one "$GEN/$n" "$BAKE"); T[bake-$n]+="$s "; M[bake-$n]+="$m "
    if [ "$n" = n5000 ]; then
      # shellcheck disable=SC2086
      read -r s m < <(one "$GEN/$n" $REF); T[ref-$n]+="$s "; M[ref-$n]+="$m "
    fi
  done
done
row() { # row NAME KEY
  local t m; t=$(tr ' ' '\n' <<<"${T[$2]}" | grep . | best); m=$(tr ' ' '\n' <<<"${M[$2]}" | grep . | most)
  printf '%-28s best %6.3f s (runs: %s)  peak RSS %6.1f MB\n' "$1" "$t" "${T[$2]% }" "$(echo "$m / 1000" | bc -l)"
}
row "reference n5000" ref-n5000
row "bake n5000" bake-n5000
row "bake n20000" bake-n20000
rt=$(tr ' ' '\n' <<<"${T[ref-n5000]}" | grep . | best); bt=$(tr ' ' '\n' <<<"${T[bake-n5000]}" | grep . | best)
worst=$(tr ' ' '\n' <<<"${T[bake-n5000]}" | grep . | most); bt2=$(tr ' ' '\n' <<<"${T[bake-n20000]}" | grep . | best)
rm_=$(tr ' ' '\n' <<<"${M[ref-n5000]}" | grep . | most); bm=$(tr ' ' '\n' <<<"${M[bake-n5000]}" | grep . | most)
echo "n5000: reference / bake (best) $(echo "scale=0; $rt / $bt" | bc)x; reference best / bake's slowest run $(echo "scale=0; $rt / $worst" | bc)x; memory bake / reference $(echo "scale=3; $bm / $rm_" | bc)"
echo "n20000 / n5000 (bake, best): $(echo "scale=2; $bt2 / $bt" | bc)"
