# Installs Debian packages when missing, for the .ci/setup-*.sh scripts: they set APT_LOG, then source this
# file. Quiet on success; apt-get update runs only when a package has no install candidate.

fail() {
  echo "$(basename "$0" .sh): $*" >&2
  exit 1
}

package_installed() {
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q '^install ok installed$'
}

apt_has_candidate() {
  apt-cache policy "$1" 2>/dev/null | grep -q 'Candidate: [^(]'
}

install_packages() {
  local missing=() pkg
  for pkg in "$@"; do
    package_installed "$pkg" || missing+=("$pkg")
  done
  [[ ${#missing[@]} -eq 0 ]] && return 0

  [[ $(id -u) -eq 0 ]] || fail "need root to install ${missing[*]} (run as root or install them first)"
  command -v apt-get >/dev/null || fail "apt-get not found; install ${missing[*]} by hand"

  for pkg in "${missing[@]}"; do
    if ! apt_has_candidate "$pkg"; then
      apt-get update -q >"$APT_LOG" 2>&1 || { cat "$APT_LOG" >&2; fail "apt-get update failed (log: $APT_LOG)"; }
      break
    fi
  done
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >>"$APT_LOG" 2>&1 \
    || { tail -n 30 "$APT_LOG" >&2; fail "apt-get install ${missing[*]} failed (log: $APT_LOG)"; }
}
