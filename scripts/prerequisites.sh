#!/usr/bin/env bash
# The Debian packages the test suite needs, installed when missing (one list for `bun run test`
# and .ci/run): PostgreSQL 15 and Redis for the local cluster, a JRE and Maven for Kafka, wrk and
# HAProxy for the load and proxy tests, Chromium for the browser tests, curl for the README walkthroughs.
# Uses sudo when not root.
# Prints nothing and changes nothing when everything is there.
#   scripts/prerequisites.sh           install what is missing
#   scripts/prerequisites.sh --list    print the package list
set -euo pipefail

APT_PACKAGES=(postgresql-15 redis-server openjdk-17-jre-headless maven wrk haproxy chromium curl)

if [ "${1-}" = "--list" ]; then
  printf '%s\n' "${APT_PACKAGES[@]}"
  exit 0
fi

missing=()
for p in "${APT_PACKAGES[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
[ "${#missing[@]}" -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "missing packages (${missing[*]}) and no apt-get: install them with your package manager" >&2
  exit 1
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "missing packages (${missing[*]}): run as root or install sudo" >&2; exit 1; }
  SUDO="sudo"
fi
echo "==> installing apt packages: ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
