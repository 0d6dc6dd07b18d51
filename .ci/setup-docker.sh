#!/usr/bin/env bash
# Makes a Docker engine and the test image maintbot-test/busybox:latest available for the tests.
# Idempotent and quiet on success. Needs root on Debian (apt) when the engine is not already up.
set -euo pipefail

readonly TEST_IMAGE="maintbot-test/busybox:latest"
readonly DOCKERD_LOG="/tmp/dockerd.log"
readonly APT_LOG="/tmp/maintbot-setup-docker-apt.log"
readonly WAIT_SECONDS="${DOCKERD_WAIT_SECONDS:-30}"

# shellcheck source=.ci/apt.sh
source "$(dirname "${BASH_SOURCE[0]}")/apt.sh"

engine_answers() {
  docker info >/dev/null 2>&1
}

wait_for_engine() {
  local pid=$1 deadline=$((SECONDS + WAIT_SECONDS))
  while ((SECONDS < deadline)); do
    engine_answers && return 0
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.3
  done
  return 1
}

# Starts dockerd in the background with the given extra flags; succeeds once `docker info` answers.
start_dockerd() {
  echo "--- dockerd $* ($(date -u +%FT%TZ))" >>"$DOCKERD_LOG"
  setsid nohup dockerd "$@" >>"$DOCKERD_LOG" 2>&1 </dev/null &
  local pid=$!
  wait_for_engine "$pid" && return 0
  kill "$pid" 2>/dev/null || true
  local waited=0
  while kill -0 "$pid" 2>/dev/null && ((waited < 50)); do sleep 0.2; waited=$((waited + 1)); done
  return 1
}

ensure_engine() {
  engine_answers && return 0
  install_packages docker.io
  command -v dockerd >/dev/null || fail "dockerd not found after installing docker.io"
  [[ $(id -u) -eq 0 ]] || fail "the Docker engine is not running and starting dockerd needs root"

  # Plain flags first; the fallback suits nested sandboxes where overlayfs or iptables are unavailable.
  start_dockerd && return 0
  start_dockerd --storage-driver=vfs --iptables=false --ip-masq=false && return 0

  tail -n 20 "$DOCKERD_LOG" >&2
  fail "dockerd did not answer within ${WAIT_SECONDS}s (full log: $DOCKERD_LOG)"
}

busybox_binary() {
  local candidate
  for candidate in /bin/busybox /usr/bin/busybox; do
    if [[ -x $candidate ]] && ! ldd "$candidate" >/dev/null 2>&1; then
      echo "$candidate"
      return 0
    fi
  done
  return 1
}

ensure_test_image() {
  docker image inspect "$TEST_IMAGE" >/dev/null 2>&1 && return 0

  busybox_binary >/dev/null || install_packages busybox-static
  local busybox
  busybox=$(busybox_binary) || fail "no statically linked busybox found after installing busybox-static"

  rootfs=$(mktemp -d /tmp/maintbot-busybox-rootfs.XXXXXX)
  mkdir -p "$rootfs"/{bin,dev,etc,proc,sys,tmp}
  chmod 1777 "$rootfs/tmp"
  cp "$busybox" "$rootfs/bin/busybox"
  local applet
  for applet in $("$busybox" --list); do
    [[ -e $rootfs/bin/$applet ]] || ln -s busybox "$rootfs/bin/$applet"
  done
  echo 'root:x:0:0:root:/root:/bin/sh' >"$rootfs/etc/passwd"
  echo 'root:x:0:' >"$rootfs/etc/group"

  tar -C "$rootfs" -c . | docker import \
    -c 'ENV PATH=/bin' -c 'CMD ["/bin/sh"]' \
    -m 'maintbot test image: busybox-static' - "$TEST_IMAGE" >/dev/null \
    || fail "docker import of $TEST_IMAGE failed"
}

rootfs=""
trap '[[ -n $rootfs ]] && rm -rf "$rootfs"' EXIT

ensure_engine
ensure_test_image
