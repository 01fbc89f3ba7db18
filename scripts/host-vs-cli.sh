#!/usr/bin/env bash
# Runs the example host program (bake/examples/print.rs, the public API alone) and the `bake`
# command side by side on every conformance case whose arguments are only --print, --set,
# --var, --load, --push and -f, and fails unless stdout, stderr and the exit code are
# byte-for-byte the same.
#   usage: scripts/host-vs-cli.sh BAKE HOST [CASES_DIR]
set -u
bake=$(realpath "$1"); host=$(realpath "$2")
cases=${3:-$(dirname "$0")/../testdata/conformance/cases}
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
same=0 differ=0 skipped=0
for c in "$cases"/*/; do
  mapfile -t args <"$c/args"
  ok=1
  for a in "${args[@]}"; do
    case $a in
      --print|--load|--push) ;;
      --set|--set=*|--var|--var=*|-f|--file|--file=*) ;;
      -*) ok=0 ;;
    esac
  done
  [[ $ok == 1 ]] || { skipped=$((skipped+1)); continue; }
  envs=(PATH=/usr/local/bin:/usr/bin:/bin HOME=/nonexistent-home)
  [[ -f $c/env ]] && mapfile -t -O 2 envs <"$c/env"
  for who in bake host; do
    rm -rf "$work/case"; cp -r "$c" "$work/case"
    prog=$bake; [[ $who == host ]] && prog=$host
    (cd "$work/case" && env -i "${envs[@]}" timeout 20 "$prog" "${args[@]}" >"$work/$who.out" 2>"$work/$who.err" </dev/null)
    echo $? >"$work/$who.code"
  done
  if cmp -s "$work/bake.out" "$work/host.out" && cmp -s "$work/bake.err" "$work/host.err" \
     && cmp -s "$work/bake.code" "$work/host.code"; then
    same=$((same+1))
  else
    differ=$((differ+1)); echo "DIFFER $(basename "$c")"
    diff "$work/bake.err" "$work/host.err" | head -5
  fi
done
echo "$same same, $differ different, $skipped skipped (other flags)"
[[ $differ == 0 ]]
