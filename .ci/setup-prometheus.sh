#!/usr/bin/env bash
# Makes Prometheus, promtool and Alertmanager available for the tests (test/e2e/alertmanager-intake.test.ts
# starts its own processes). Idempotent and quiet on success; never starts the system services.
set -euo pipefail

readonly APT_LOG="/tmp/maintbot-setup-prometheus-apt.log"
readonly POLICY="/usr/sbin/policy-rc.d"

# shellcheck source=.ci/apt.sh
source "$(dirname "${BASH_SOURCE[0]}")/apt.sh"

all_present() {
  command -v prometheus >/dev/null && command -v promtool >/dev/null && command -v prometheus-alertmanager >/dev/null && command -v amtool >/dev/null
}

all_present && exit 0

# The packages' maintainer scripts would start prometheus and alertmanager; a policy-rc.d that says no keeps them stopped.
policy_added=""
if [[ ! -e $POLICY && $(id -u) -eq 0 ]]; then
  printf '#!/bin/sh\nexit 101\n' >"$POLICY" && chmod +x "$POLICY" && policy_added=1
fi
trap '[[ -n $policy_added ]] && rm -f "$POLICY"' EXIT

install_packages prometheus prometheus-alertmanager
all_present || fail "prometheus, promtool, prometheus-alertmanager or amtool is missing after installing the packages"
