#!/usr/bin/env bash
# Quick check of the engine that scripts/engine.sh started: on daemons A and B, a --load build
# with RUN --network=none, an oci-layout:// named context (by tag and by digest), a push to
# the local registry, a two-platform --load and --push, and a two-target bake; on daemon C,
# that it uses the classic image store, a --load build and a single-platform two-target bake;
# then that `docker --host` picks the daemon even when DOCKER_HOST names the other one.
#   scripts/engine-smoke.sh        (needs a running engine: scripts/engine.sh start)
set -uo pipefail
ENVFILE=$("$(dirname "$0")/engine.sh" env) || { echo "engine is not running: scripts/engine.sh start" >&2; exit 1; }
# shellcheck disable=SC1090
. "$ENVFILE"
W=$(mktemp -d /tmp/bake-smoke.XXXXXX)
trap 'rm -rf "$W"' EXIT
cd "$W"
pass=0 fail=0
check() { # check NAME CMD...: runs CMD, one line with rc and seconds
  local name=$1 s rc; shift
  s=$(date +%s.%N)
  "$@" > "$W/out" 2>&1; rc=$?
  printf '%-44s %s %5.2fs\n' "$name" "$([ $rc = 0 ] && echo ok || echo FAIL)" \
    "$(awk -v a="$s" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')"
  if [ $rc = 0 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); tail -n 15 "$W/out"; fi
}
tag=$RANDOM
mkdir ctx
printf 'FROM localbusybox:latest\nRUN --network=none echo hi-%s\n' "$tag" > ctx/Dockerfile
printf 'FROM base\nRUN --network=none cat /etc/passwd\n' > ctx/Dockerfile.named
printf 'FROM localbusybox:latest\nRUN --network=none uname -m > /arch\n' > ctx/Dockerfile.mp
printf 'FROM base\nRUN echo app > /app\n' > ctx/Dockerfile.app
cat > ctx/docker-bake.hcl <<'EOF'
target "base" {
  dockerfile = "Dockerfile.mp"
  network = "none"
}
target "app" {
  dockerfile = "Dockerfile.app"
  contexts = { base = "target:base" }
  network = "none"
  tags = ["smoke-app"]
  platforms = ["linux/amd64", "linux/arm64"]
}
target "app1" {
  dockerfile = "Dockerfile.app"
  contexts = { base = "target:base" }
  network = "none"
  tags = ["smoke-app1"]
}
EOF
index_ok() { # index_ok REPO: the tag is an index with amd64 and arm64
  local m
  m=$(curl -sf -H 'Accept: application/vnd.oci.image.index.v1+json' "http://$BAKE_E2E_REGISTRY/v2/$1/manifests/v1") || return 1
  grep -Eq "\"architecture\": *\"amd64\"" <<< "$m" && grep -Eq "\"architecture\": *\"arm64\"" <<< "$m"
}
push_mp() {
  docker buildx build -q -f ctx/Dockerfile.mp --platform linux/amd64,linux/arm64 --push \
    -t "$BAKE_E2E_REGISTRY/smoke/mp-$1:v1" ctx && index_ok "smoke/mp-$1"
}
bake_app() { (cd ctx && docker buildx bake --progress=quiet --load app); }
classic_store() { # daemon C: overlay2 without the containerd snapshotter, and its base is the
  # linux/amd64 image of $BAKE_E2E_BASE_OCI (image ID = config digest = a blob of the layout)
  local drv st id
  drv=$(docker info --format '{{.Driver}}') && st=$(docker info --format '{{json .DriverStatus}}') || return 1
  id=$(docker image inspect -f '{{.Id}} {{.Os}}/{{.Architecture}}' localbusybox:latest) || return 1
  echo "driver $drv, status $st; localbusybox:latest $id"
  [ "$drv" = overlay2 ] && ! grep -q containerd <<< "$st" && [ "${id#* }" = linux/amd64 ] \
    && id=${id%% *} && [ -f "$BAKE_E2E_BASE_OCI/blobs/sha256/${id#sha256:}" ]
}
bake_app1() { # daemon C: target: context, without and with --load (the docker driver names
  # the image in either case)
  docker image rm -f smoke-app1 >/dev/null 2>&1
  (cd ctx && docker buildx bake --progress=quiet app1) && docker image inspect smoke-app1 >/dev/null \
    && docker image rm smoke-app1 >/dev/null \
    && (cd ctx && docker buildx bake --progress=quiet --load app1) \
    && [ "$(docker run --rm --network=none smoke-app1 cat /arch /app)" = "$(printf 'x86_64\napp')" ]
}
for n in A B; do
  h=BAKE_E2E_HOST_$n; h=${!h}; l=${n,,}
  export DOCKER_HOST=$h
  check "$n: --load, RUN --network=none" sh -c "docker buildx build --progress=plain --load -t smoke1 - < ctx/Dockerfile && docker run --rm --network=none smoke1 true"
  check "$n: oci-layout://DIR:latest context" docker buildx build -q --build-context "base=oci-layout://$BAKE_E2E_BASE_OCI:latest" -f ctx/Dockerfile.named --load -t smoke2 ctx
  check "$n: oci-layout://DIR@digest context" docker buildx build -q --build-context "base=oci-layout://$BAKE_E2E_BASE_OCI@$BAKE_E2E_BASE_DIGEST" -f ctx/Dockerfile.named --load -t smoke3 ctx
  check "$n: --push to $BAKE_E2E_REGISTRY" docker buildx build -q -f ctx/Dockerfile --push -t "$BAKE_E2E_REGISTRY/smoke/one-$l:v1" ctx
  if [ "$BAKE_E2E_ARM64" = 1 ]; then
    check "$n: amd64+arm64 --load" docker buildx build -q -f ctx/Dockerfile.mp --platform linux/amd64,linux/arm64 --load -t smoke-mp ctx
    check "$n: amd64+arm64 --push (index)" push_mp "$l"
    check "$n: bake app (target: context, 2 platforms)" bake_app
  fi
done
export DOCKER_HOST=$BAKE_E2E_HOST_C
check "C: classic store, amd64 localbusybox" classic_store
check "C: --load, RUN --network=none" sh -c "docker buildx build --progress=plain --load -t smoke1 - < ctx/Dockerfile && docker run --rm --network=none smoke1 true"
check "C: bake (target: context) w/o, with --load" bake_app1
export DOCKER_HOST=$BAKE_E2E_HOST_A
printf 'FROM localbusybox:latest\nRUN --network=none echo host-%s\n' "$tag" > ctx/Dockerfile.host
check "docker --host B (DOCKER_HOST=A) builds on B" sh -c "docker --host $BAKE_E2E_HOST_B buildx build -q -f ctx/Dockerfile.host --load -t smoke-host-$tag ctx \
  && DOCKER_HOST=$BAKE_E2E_HOST_B docker image inspect smoke-host-$tag >/dev/null \
  && ! docker image inspect smoke-host-$tag >/dev/null 2>&1"
echo "engine smoke: $pass passed, $fail failed"
[ $fail = 0 ]
