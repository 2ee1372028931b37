#!/usr/bin/env bash
# What porter's test suites need from the system, and nothing else: Debian's Chromium (the end-to-end tests
# drive it), PostgreSQL's server programs (the database tests run on PostgreSQL as well as the embedded
# database, and the cluster suite runs on it) and nginx (the cluster suite's proxy).
#
# Each is looked for where the suites look for it. What is missing is installed with apt-get when this runs
# as root on Debian or Ubuntu, or with sudo when sudo needs no password (as `npx playwright install
# --with-deps` installs a browser's system packages). Otherwise it stops at once with the exact command to
# run, before lint and the unit tests spend minutes. `npm test` runs it first; `.ci/run` runs it too.
#
#   bash tools/system-packages.sh          check, and install what is missing when allowed
#   bash tools/system-packages.sh --check  check only (exit 1 and the command when something is missing)
set -euo pipefail

check_only=0
[ "${1:-}" = "--check" ] && check_only=1

chromium_path="${CHROMIUM_PATH:-/usr/bin/chromium}"

# A program counts as present when it runs, not when a file of its name exists.
has_chromium() { [ -x "$chromium_path" ] && timeout 20 "$chromium_path" --version >/dev/null 2>&1; }
has_postgres() {
  local initdb
  for initdb in /usr/lib/postgresql/*/bin/initdb; do
    [ -x "$initdb" ] && "$initdb" --version >/dev/null 2>&1 && return 0
  done
  return 1
}
has_nginx() {
  local bin
  for bin in "$(command -v nginx 2>/dev/null || true)" /usr/sbin/nginx; do
    [ -n "$bin" ] && [ -x "$bin" ] && "$bin" -v >/dev/null 2>&1 && return 0
  done
  return 1
}

missing() {
  local out=()
  has_chromium || out+=(chromium)
  has_postgres || out+=(postgresql)
  has_nginx || out+=(nginx)
  echo "${out[@]:-}"
}

why() {
  case "$1" in
    chromium) echo "chromium    the end-to-end tests drive it (or set CHROMIUM_PATH to another Chromium)" ;;
    postgresql) echo "postgresql  the database tests also run on PostgreSQL, and the cluster suite runs on it" ;;
    nginx) echo "nginx       the cluster suite puts it in front of three app nodes" ;;
  esac
}

need=$(missing)
[ -z "$need" ] && exit 0

say() { echo "porter tests: $*" >&2; }
explain() {
  say "missing from this machine:"
  for p in $need; do echo "  $(why "$p")" >&2; done
}

installer=()
if command -v apt-get >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    installer=(env DEBIAN_FRONTEND=noninteractive)
  elif command -v sudo >/dev/null 2>&1 && sudo -n true >/dev/null 2>&1; then
    installer=(sudo -n env DEBIAN_FRONTEND=noninteractive)
  fi
fi

if [ "$check_only" = 1 ] || [ ${#installer[@]} -eq 0 ]; then
  explain
  if command -v apt-get >/dev/null 2>&1; then
    say "install them, then run npm test again:"
    echo "  sudo apt-get update && sudo apt-get install -y $need" >&2
  else
    say "this is not Debian or Ubuntu: install Chromium, PostgreSQL's server and nginx with your package manager" \
      "(set CHROMIUM_PATH if Chromium is not at /usr/bin/chromium), then run npm test again."
  fi
  exit 1
fi

explain
say "installing with apt-get: $need"
# shellcheck disable=SC2086 # one word per package
"${installer[@]}" apt-get update -qq && "${installer[@]}" apt-get install -y -qq $need >/dev/null

still=$(missing)
if [ -n "$still" ]; then
  say "apt-get finished, but these still do not run: $still"
  for p in $still; do echo "  $(why "$p")" >&2; done
  exit 1
fi
say "installed: $need"
