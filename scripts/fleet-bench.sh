#!/usr/bin/env bash
# The fleet benchmark: 200 targets (a matrix) built by `docker buildx bake` on one daemon (A),
# against bake on two projects of two nodes each (A+B and C+D, max-parallelism 2 per node),
# cold then warm, in one run on the engine of scripts/engine.sh.
#
#   scripts/fleet-bench.sh target/release/bake
#
# Prints one line per measurement (and buildx's error when it fails: past about 100 targets on
# one daemon, buildx loses jobs, docker/buildx#3810). Every target's RUN prints a fresh salt, so "cold" means no
# step is cached anywhere; "warm" is the same file again.
set -euo pipefail
BAKE=$(realpath "${1:?usage: scripts/fleet-bench.sh BAKE}")
ENV=${BAKE_ENGINE_DIR:-/tmp/bake-engine}/env
[ -f "$ENV" ] || { echo "no engine: run scripts/engine.sh start" >&2; exit 1; }
. "$ENV"
W=$(mktemp -d /tmp/fleet-bench.XXXXXX)
trap 'rm -rf "$W"' EXIT
matrix() { # matrix WITH_PROJECT
  local project=""
  [ "$1" = 1 ] && project='project_id = "f${p}"'
  cat <<HCL
target "t" {
  name = "t\${p}-\${n}"
  matrix = {
    p = ["1", "2"]
    n = [for i in range(100) : "\${i}"]
  }
  $project
  args = { N = "\${p}-\${n}" }
}
HCL
}
node() { printf '[[projects.%s.nodes]]\ndocker-host = "%s"\nplatforms = ["linux/amd64"]\nmax-parallelism = 2\n' "$1" "$2"; }
mkdir -p "$W/buildx" "$W/bake"
matrix 0 > "$W/buildx/docker-bake.hcl"
matrix 1 > "$W/bake/docker-bake.hcl"
{ echo '[projects.f1]'; node f1 "$BAKE_E2E_HOST_A"; node f1 "$BAKE_E2E_HOST_B"
  echo '[projects.f2]'; node f2 "$BAKE_E2E_HOST_C"; node f2 "$BAKE_E2E_HOST_D"; } > "$W/bake/bake.toml"
export BAKE_HISTORY=$W/history.db
measure() { # measure LABEL DIR CMD...
  local label=$1 dir=$2; shift 2
  local t0 t1
  t0=$(date +%s.%N)
  local status=ok
  (cd "$dir" && "$@" >/dev/null 2>"$W/err") || status="FAILED: $(grep -m1 'ERROR' "$W/err" || tail -n1 "$W/err")"
  t1=$(date +%s.%N)
  awk -v l="$label" -v a="$t0" -v b="$t1" -v s="$status" 'BEGIN { printf "%-44s %6.1f s  %s\n", l, b - a, s }'
}
salt=$RANDOM$RANDOM
for d in buildx bake; do
  printf 'FROM localbusybox:latest\nARG N\nRUN --network=none echo %s $N > /n\n' "$salt" > "$W/$d/Dockerfile"
done
measure "docker buildx bake, daemon A, cold" "$W/buildx" env DOCKER_HOST="$BAKE_E2E_HOST_A" docker buildx bake --progress=plain t
measure "docker buildx bake, daemon A, warm" "$W/buildx" env DOCKER_HOST="$BAKE_E2E_HOST_A" docker buildx bake --progress=plain t
measure "bake, 2 projects x 2 nodes, cold" "$W/bake" "$BAKE" --progress=plain t
measure "bake, 2 projects x 2 nodes, warm" "$W/bake" "$BAKE" --progress=plain t
