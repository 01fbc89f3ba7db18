#!/usr/bin/env bash
# Bring up a real Docker engine with BuildKit for bake's end-to-end tests, on a Debian 12
# machine whose only network is Debian's package mirrors. What it sets up: scripts/README.md.
#
#   scripts/engine.sh start   # idempotent; prints the env file's path as its last line
#   scripts/engine.sh stop    # stops daemons and registry, keeps the cache
#   scripts/engine.sh env     # prints the env file's path if the engine is up, else exit 1
#   scripts/engine.sh purge   # stop, then delete everything but the cached prefix and qemu
#
# Four dockerd daemons, each with its own containerd and image store: "A", "B" and "D" use the
# containerd image store (two projects, or nodes of a fleet), "C" Docker Engine's default
# classic store (overlay2).
# One docker-registry on 127.0.0.1:5000, qemu-aarch64 in binfmt_misc, and a two-platform base
# image localbusybox:latest in A, B and D plus an OCI layout at $R/base-oci; C, which cannot hold
# an index, has its linux/amd64 image.
# Engine: Debian forky's docker.io/docker-cli/docker-buildx/containerd (trixie as fallback),
# bookworm's runc, docker-registry and qemu-user-static, all extracted (not installed).
set -Eeuo pipefail

R=${BAKE_ENGINE_DIR:-/tmp/bake-engine}
PREFIX=$R/prefix
QEMU=$R/qemu
CACHE_TAG=bake-engine-v1          # bump when the extracted layout changes
read -r -a SUITES <<< "${BAKE_ENGINE_SUITES:-forky trixie}"   # preferred first
REG_ADDR=127.0.0.1:5000
ENVFILE=$R/env
DAEMONS=(a b c d)
CLASSIC=c                         # the daemon with the classic image store (single-platform)

T0=$(date +%s.%N)
say() { printf '[engine] %s\n' "$*"; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { print b - a }'; }
now() { date +%s.%N; }
PT=$T0
phase() { # phase NAME: one line with the seconds since the previous phase line
  local t; t=$(now)
  printf '[engine] %-34s %5.1fs\n' "$1" "$(secs "$PT" "$t")"
  PT=$t
}

logtails() {
  local f
  for f in "$R"/a/dockerd.log "$R"/b/dockerd.log "$R"/c/dockerd.log "$R"/d/dockerd.log "$R"/registry/log "$R"/apt.log; do
    [ -s "$f" ] || continue
    echo "---- tail of $f" >&2
    tail -n 15 "$f" >&2
  done
}
die() {
  trap - ERR
  echo "[engine] ERROR: $*" >&2
  logtails
  rm -f "$ENVFILE"
  exit 1
}
on_err() { die "command failed (line $1, exit $2): $3"; }

# One start/stop at a time. The daemons must not inherit fd 9 (they would hold the lock).
lock() {
  exec 9>"$R/lock"
  flock -w 600 9 || die "another engine.sh holds $R/lock"
}
# alive PID: the process exists and is one of ours (its command line names $R), so that a
# stale pidfile whose PID got reused never makes us signal someone else's process.
alive() {
  [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null && tr '\0' ' ' < "/proc/$1/cmdline" 2>/dev/null | grep -qF -- "$R/"
}
readpid() { [ -s "$1" ] && cat "$1" || true; }
sock() { echo "$R/$1.sock"; }
ping_daemon() { curl -sf -m 2 --unix-socket "$(sock "$1")" http://localhost/_ping >/dev/null 2>&1; }
ping_registry() { curl -sf -m 2 "http://$REG_ADDR/v2/" >/dev/null 2>&1; }

engine_path() { echo "$PREFIX/usr/bin:$PREFIX/usr/sbin:$PREFIX/usr/libexec/docker/cli-plugins"; }

# ---------------------------------------------------------------------------------------
# download and extract (skipped when $PREFIX and $QEMU are already complete)

mirror() {
  local m=""
  if compgen -G '/etc/apt/sources.list.d/*.sources' >/dev/null; then
    m=$(awk 'tolower($1)=="uris:" && $2 !~ /security/ {print $2; exit}' /etc/apt/sources.list.d/*.sources)
  fi
  if [ -z "$m" ] && [ -f /etc/apt/sources.list ]; then
    m=$(awk '$1=="deb" && $0 !~ /security/ { for (i=2;i<=NF;i++) if ($i ~ /^[a-z]+:\/\//) {print $i; exit} }' /etc/apt/sources.list)
  fi
  echo "${m:-http://deb.debian.org/debian}"
}

# try_suite SUITE: private apt state with SUITE (amd64+arm64) and bookworm (amd64); download
# the debs into $R/debs and extract them into $R/prefix.new, $R/qemu.new. Returns 1 on failure.
try_suite() {
  local suite=$1 m st
  m=$(mirror)
  st=$R/apt-$suite
  mkdir -p "$st"/state/lists/partial "$st"/cache/archives/partial
  {
    echo "deb [arch=amd64,arm64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $m $suite main"
    echo "deb [arch=amd64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $m bookworm main"
  } > "$st/sources.list"
  : > "$st/state/status"
  APT=(-q -o Dir::State="$st/state" -o Dir::State::status="$st/state/status" -o Dir::Cache="$st/cache"
       -o Dir::Etc::sourcelist="$st/sources.list" -o Dir::Etc::sourceparts=/dev/null
       -o APT::Architectures::=arm64 -o Acquire::IndexTargets::deb::DEP-11::DefaultEnabled=false
       -o Acquire::Languages=none -o APT::Sandbox::User=root)
  echo "== apt-get update ($suite + bookworm)" >> "$R/apt.log"
  apt-get "${APT[@]}" update >> "$R/apt.log" 2>&1 || { say "apt-get update for $suite failed"; return 1; }
  # apt-get update exits 0 even when an index could not be fetched: check the lists.
  compgen -G "$st/state/lists/*_dists_${suite}_main_binary-arm64_Packages*" >/dev/null \
    || { say "no $suite package lists"; return 1; }
  phase "apt update ($suite+bookworm)"

  rm -rf "$R/debs" && mkdir -p "$R/debs"
  echo "== apt-get download ($suite)" >> "$R/apt.log"
  (cd "$R/debs" && apt-get "${APT[@]}" download \
      "docker.io/$suite" "docker-cli/$suite" "docker-buildx/$suite" "containerd/$suite" \
      "busybox-static:amd64/$suite" "busybox-static:arm64/$suite" \
      runc/bookworm docker-registry/bookworm qemu-user-static/bookworm) >> "$R/apt.log" 2>&1 \
    || { say "apt-get download from $suite failed"; return 1; }
  phase "download ($(du -sm "$R/debs" | cut -f1) MB)"

  rm -rf "$PREFIX.new" "$QEMU.new" "$R/bb-amd64" "$R/bb-arm64"
  mkdir -p "$PREFIX.new" "$QEMU.new"
  local d pids=()
  # xz is single-threaded: run the slow qemu extraction beside the rest.
  (dpkg-deb --fsys-tarfile "$R"/debs/qemu-user-static_*_amd64.deb | tar -C "$QEMU.new" -x \
      ./usr/bin/qemu-aarch64-static ./usr/libexec/qemu-binfmt/aarch64-binfmt-P \
      ./usr/lib/binfmt.d/qemu-aarch64.conf) & pids+=($!)
  (for d in docker.io docker-cli docker-buildx containerd runc docker-registry; do
     dpkg-deb -x "$R"/debs/"${d}"_*_amd64.deb "$PREFIX.new" || exit 1
   done
   dpkg-deb -x "$R"/debs/busybox-static_*_amd64.deb "$R/bb-amd64" || exit 1
   dpkg-deb -x "$R"/debs/busybox-static_*_arm64.deb "$R/bb-arm64") & pids+=($!)
  local p ok=0
  for p in "${pids[@]}"; do wait "$p" || ok=1; done
  [ $ok = 0 ] || { say "extracting the .debs failed"; return 1; }
  # busybox: usr/bin/busybox (trixie, forky) or bin/busybox (bookworm)
  local a
  for a in amd64 arm64; do
    for p in usr/bin/busybox bin/busybox; do
      if [ -f "$R/bb-$a/$p" ]; then mkdir -p "$PREFIX.new/busybox-$a" && cp "$R/bb-$a/$p" "$PREFIX.new/busybox-$a/busybox"; break; fi
    done
    [ -f "$PREFIX.new/busybox-$a/busybox" ] || { say "no busybox in busybox-static:$a"; return 1; }
  done
  rm -rf "$R/bb-amd64" "$R/bb-arm64"
  # These binaries must run on this glibc (forky may move on to a newer one).
  for p in usr/sbin/dockerd usr/bin/docker usr/bin/containerd usr/sbin/runc usr/bin/docker-registry \
           usr/libexec/docker/cli-plugins/docker-buildx; do
    [ -x "$PREFIX.new/$p" ] || { say "$suite: missing $p"; return 1; }
  done
  "$PREFIX.new/usr/sbin/dockerd" --version >/dev/null 2>>"$R/apt.log" \
    && "$PREFIX.new/usr/bin/containerd" --version >/dev/null 2>>"$R/apt.log" \
    && "$PREFIX.new/usr/sbin/runc" --version >/dev/null 2>>"$R/apt.log" \
    && "$PREFIX.new/usr/libexec/docker/cli-plugins/docker-buildx" version >/dev/null 2>>"$R/apt.log" \
    || { say "$suite binaries do not run here (glibc?)"; return 1; }
  [ -x "$QEMU.new/usr/bin/qemu-aarch64-static" ] || { say "no qemu-aarch64-static"; return 1; }
  ls "$R/debs" > "$PREFIX.new/.debs"
  { echo "$CACHE_TAG"; echo "suite=$suite"; } > "$PREFIX.new/.complete"
  echo "$CACHE_TAG" > "$QEMU.new/.complete"
  return 0
}

ensure_prefix() {
  if [ -f "$PREFIX/.complete" ] && [ "$(head -n1 "$PREFIX/.complete")" = "$CACHE_TAG" ] \
     && [ -f "$QEMU/.complete" ]; then
    phase "prefix cached ($(sed -n 's/^suite=//p' "$PREFIX/.complete"))"
    return
  fi
  : > "$R/apt.log"
  local s got=""
  for s in "${SUITES[@]}"; do
    if try_suite "$s"; then got=$s; break; fi
    say "$s did not work"
  done
  [ -n "$got" ] || die "could not download a working engine from ${SUITES[*]} (see $R/apt.log)"
  rm -rf "$PREFIX" "$QEMU" "$R/debs"
  mv "$PREFIX.new" "$PREFIX"
  mv "$QEMU.new" "$QEMU"
  phase "extract ($got)"
}

# ---------------------------------------------------------------------------------------
# binfmt, daemons, registry

ensure_binfmt() {
  if ! mountpoint -q /proc/sys/fs/binfmt_misc; then
    mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc || die "cannot mount binfmt_misc"
    touch "$R/binfmt.mounted"
  fi
  if [ ! -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ]; then
    sed "s#/usr/libexec/#$QEMU/usr/libexec/#" "$QEMU/usr/lib/binfmt.d/qemu-aarch64.conf" \
      > /proc/sys/fs/binfmt_misc/register || die "cannot register qemu-aarch64 with binfmt_misc"
    touch "$R/binfmt.ours"
  fi
}

start_daemon() {
  local n=$1 d=$R/$1 pid
  pid=$(readpid "$d/dockerd.pid")
  if alive "$pid" && ping_daemon "$n"; then return 0; fi
  alive "$pid" && die "dockerd $n (pid $pid) is running but does not answer on $(sock "$n")"
  mkdir -p "$d"
  if [ "$n" = "$CLASSIC" ]; then
    echo '{"features":{"containerd-snapshotter":false}}' > "$d/daemon.json"
  else
    echo '{"features":{"containerd-snapshotter":true}}' > "$d/daemon.json"
  fi
  rm -f "$(sock "$n")" "$d/dockerd.pid"
  # Own session (setsid) so that the daemons outlive the caller's process group.
  setsid env -i PATH="$(engine_path):/usr/sbin:/usr/bin:/sbin:/bin" HOME="$d" \
    "$PREFIX/usr/sbin/dockerd" --config-file "$d/daemon.json" --data-root "$d/data" \
    --exec-root "$d/exec" --pidfile "$d/dockerd.pid" -H "unix://$(sock "$n")" \
    --bridge=none --iptables=false --ip6tables=false --ip-forward=false --ip-masq=false \
    --userland-proxy=false </dev/null >"$d/dockerd.log" 2>&1 9>&- &
  echo $! > "$d/dockerd.launch.pid"
}

start_registry() {
  local pid
  pid=$(readpid "$R/registry/pid")
  if alive "$pid" && ping_registry; then return 0; fi
  alive "$pid" && die "docker-registry (pid $pid) is running but does not answer on $REG_ADDR"
  ping_registry && die "something else already answers on $REG_ADDR"
  mkdir -p "$R/registry/data"
  printf 'version: 0.1\nlog: {level: warn}\nstorage: {filesystem: {rootdirectory: %s}, delete: {enabled: true}}\nhttp: {addr: %s}\n' \
    "$R/registry/data" "$REG_ADDR" > "$R/registry/config.yml"
  setsid "$PREFIX/usr/bin/docker-registry" serve "$R/registry/config.yml" \
    </dev/null >"$R/registry/log" 2>&1 9>&- &
  echo $! > "$R/registry/pid"
}

wait_ready() {
  local i n pid
  for ((i = 0; i < 600; i++)); do
    local all=1
    for n in "${DAEMONS[@]}"; do
      if ! ping_daemon "$n"; then
        all=0
        pid=$(readpid "$R/$n/dockerd.launch.pid")
        [ -z "$pid" ] || alive "$pid" || die "dockerd $n exited during startup"
      fi
    done
    if ! ping_registry; then
      all=0
      alive "$(readpid "$R/registry/pid")" || die "docker-registry exited during startup"
    fi
    [ $all = 1 ] && return 0
    sleep 0.1
  done
  die "daemons or registry not ready after 60 s"
}

# ---------------------------------------------------------------------------------------
# base image localbusybox:latest (linux/amd64 + linux/arm64)

make_base_context() {
  local ctx=$R/base a f
  [ -f "$ctx/.complete" ] && return 0
  rm -rf "$ctx" && mkdir -p "$ctx"
  for a in amd64 arm64; do
    local rf=$ctx/rootfs-$a
    mkdir -p "$rf/bin" "$rf/etc" "$rf/tmp" "$rf/root"
    chmod 1777 "$rf/tmp"; chmod 700 "$rf/root"
    cp "$PREFIX/busybox-$a/busybox" "$rf/bin/busybox"
    for f in $("$PREFIX/busybox-amd64/busybox" --list); do
      [ "$f" = busybox ] || ln -s busybox "$rf/bin/$f"
    done
    printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' > "$rf/etc/passwd"
    printf 'root:x:0:\nnogroup:x:65534:\n' > "$rf/etc/group"
  done
  printf 'FROM scratch\nARG TARGETARCH\nCOPY rootfs-${TARGETARCH}/ /\nCMD ["/bin/sh"]\n' > "$ctx/Dockerfile"
  # Fixed mtimes + SOURCE_DATE_EPOCH: the same image digest in both stores and the OCI layout.
  find "$ctx" -exec touch -h -d @0 {} +
  touch "$ctx/.complete"
}

buildx() { # buildx DAEMON ARGS...
  local n=$1; shift
  DOCKER_HOST="unix://$(sock "$n")" SOURCE_DATE_EPOCH=0 docker buildx build "$@"
}

has_base() { DOCKER_HOST="unix://$(sock "$1")" docker image inspect localbusybox:latest >/dev/null 2>&1; }

ensure_base_images() {
  make_base_context
  local n i built="" pids=() what=()
  # C (classic store) can't load the OCI index: build its linux/amd64 image straight into its
  # store, beside the OCI build on A. Same context and SOURCE_DATE_EPOCH, so its image ID is
  # the config digest of the amd64 manifest in $R/base-oci.
  if ! has_base "$CLASSIC"; then
    buildx "$CLASSIC" -q --provenance=false --platform linux/amd64 -t localbusybox:latest --load "$R/base" \
      >> "$R/build.log" 2>&1 || exit 1 &
    pids+=($!) what+=("building localbusybox:latest (linux/amd64) on daemon $CLASSIC")
    built+="$CLASSIC "
  fi
  # Build once into an OCI archive, then load that same archive into the containerd image
  # stores: one image digest everywhere (A, B and $R/base-oci), and loading beats building.
  if [ ! -f "$R/base-oci.tar" ] || [ ! -f "$R/base-oci/index.json" ]; then
    rm -rf "$R/base-oci" "$R/base-oci.tar"
    buildx a -q --provenance=false --platform linux/amd64,linux/arm64 -t localbusybox:latest \
      --output "type=oci,dest=$R/base-oci.tar" "$R/base" >> "$R/build.log" 2>&1 \
      || die "building localbusybox:latest failed (see $R/build.log)"
    mkdir -p "$R/base-oci.new" && tar -C "$R/base-oci.new" -xf "$R/base-oci.tar" && mv "$R/base-oci.new" "$R/base-oci"
    built+="oci "
  fi
  for n in "${DAEMONS[@]}"; do
    [ "$n" != "$CLASSIC" ] || continue
    if ! has_base "$n"; then
      DOCKER_HOST="unix://$(sock "$n")" docker load -q -i "$R/base-oci.tar" >> "$R/build.log" 2>&1 & pids+=($!)
      what+=("docker load of localbusybox:latest on daemon $n")
      built+="$n "
    fi
  done
  for i in "${!pids[@]}"; do wait "${pids[i]}" || die "${what[i]} failed (see $R/build.log)"; done
  for n in "${DAEMONS[@]}"; do
    has_base "$n" || die "localbusybox:latest is missing on daemon $n after loading"
  done
  phase "base images (${built:-present})"
}

check_arm64() {
  local ctx=$R/arm64-check
  mkdir -p "$ctx"
  printf 'FROM localbusybox:latest\nRUN --network=none true\n' > "$ctx/Dockerfile"
  if buildx a -q --no-cache --platform linux/arm64 --output type=cacheonly "$ctx" >> "$R/build.log" 2>&1; then
    ARM64=1
  else
    ARM64=0
    say "warning: arm64 RUN does not work on daemon A (see $R/build.log)"
  fi
  phase "arm64 check (BAKE_E2E_ARM64=$ARM64)"
}

write_env() {
  cat > "$ENVFILE.tmp" <<EOF
export PATH="$PREFIX/usr/bin:$PREFIX/usr/sbin:\$PATH"
export DOCKER_CONFIG="$R/dockercfg"
export DOCKER_HOST="unix://$(sock a)"
export BAKE_E2E_HOST_A="unix://$(sock a)"
export BAKE_E2E_HOST_B="unix://$(sock b)"
export BAKE_E2E_HOST_C="unix://$(sock c)"
export BAKE_E2E_HOST_D="unix://$(sock d)"
export BAKE_E2E_REGISTRY="$REG_ADDR"
export BAKE_E2E_ARM64=$ARM64
export BAKE_E2E_BASE_OCI="$R/base-oci"
export BAKE_E2E_BASE_DIGEST="$(sed -n 's/.*"digest":"\(sha256:[0-9a-f]*\)".*/\1/p' "$R/base-oci/index.json")"
export BAKE_ENGINE_DIR="$R"
EOF
  mv "$ENVFILE.tmp" "$ENVFILE"
}

# ---------------------------------------------------------------------------------------

cmd_start() {
  [ "$(id -u)" = 0 ] || die "must run as root (dockerd, binfmt_misc)"
  command -v apt-get >/dev/null && command -v dpkg-deb >/dev/null || die "needs a Debian system (apt-get, dpkg-deb)"
  command -v curl >/dev/null || die "needs curl"
  # unix socket paths are limited to 108 bytes; containerd's lives under exec-root
  [ ${#R} -le 60 ] || die "BAKE_ENGINE_DIR is too long (${#R} > 60 characters): $R"
  mkdir -p "$R"
  lock
  trap 'on_err $LINENO $? "$BASH_COMMAND"' ERR
  rm -f "$ENVFILE"
  ensure_prefix
  export PATH="$PREFIX/usr/bin:$PREFIX/usr/sbin:$PATH" DOCKER_CONFIG=$R/dockercfg
  mkdir -p "$DOCKER_CONFIG/cli-plugins"
  cp -f "$PREFIX/usr/libexec/docker/cli-plugins/docker-buildx" "$DOCKER_CONFIG/cli-plugins/"
  ensure_binfmt
  local n
  for n in "${DAEMONS[@]}"; do start_daemon "$n"; done
  start_registry
  wait_ready
  phase "dockerd $(IFS=+; echo "${DAEMONS[*]}"), registry ready"
  ensure_base_images
  check_arm64
  write_env
  printf '[engine] %-34s %5.1fs\n' "total" "$(secs "$T0" "$(now)")"
  echo "$ENVFILE"
}

stop_pid() { # stop_pid NAME PID: TERM, wait until gone (KILL after 30 s)
  local name=$1 pid=$2 i
  alive "$pid" || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 300; i++)); do alive "$pid" || return 0; sleep 0.1; done
  say "$name (pid $pid) did not stop in 30 s: KILL"
  kill -KILL "$pid" 2>/dev/null || true
  for ((i = 0; i < 50; i++)); do alive "$pid" || return 0; sleep 0.1; done
}

cmd_stop() {
  [ -d "$R" ] || { say "nothing to stop"; return 0; }
  lock
  rm -f "$ENVFILE"
  local n pid
  for n in "${DAEMONS[@]}"; do
    # dockerd deletes its pidfile on exit: read it first
    pid=$(readpid "$R/$n/dockerd.pid")
    [ -n "$pid" ] || pid=$(readpid "$R/$n/dockerd.launch.pid")
    stop_pid "dockerd $n" "$pid" &
  done
  stop_pid docker-registry "$(readpid "$R/registry/pid")" &
  wait
  for n in "${DAEMONS[@]}"; do rm -f "$R/$n/dockerd.launch.pid"; done
  rm -f "$R/registry/pid"
  if [ -f "$R/binfmt.ours" ]; then
    [ -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ] && echo -1 > /proc/sys/fs/binfmt_misc/qemu-aarch64 || true
    rm -f "$R/binfmt.ours"
  fi
  if [ -f "$R/binfmt.mounted" ]; then
    # unmount only if nothing else got registered meanwhile
    if [ -z "$(ls /proc/sys/fs/binfmt_misc | grep -vx -e register -e status)" ]; then
      umount /proc/sys/fs/binfmt_misc || true
    fi
    rm -f "$R/binfmt.mounted"
  fi
  printf '[engine] %-34s %5.1fs\n' "stopped" "$(secs "$T0" "$(now)")"
}

cmd_env() {
  [ -f "$ENVFILE" ] || exit 1
  local n
  for n in "${DAEMONS[@]}"; do ping_daemon "$n" || exit 1; done
  ping_registry || exit 1
  echo "$ENVFILE"
}

cmd_purge() {
  cmd_stop
  local keep
  for keep in "$R"/*; do
    case "$keep" in "$PREFIX"|"$QEMU"|"$R/lock") ;; *) rm -rf "$keep" ;; esac
  done
  say "purged $R (kept prefix and qemu)"
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  env) cmd_env ;;
  purge) cmd_purge ;;
  *) echo "usage: $0 start|stop|env|purge" >&2; exit 2 ;;
esac
