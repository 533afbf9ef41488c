#!/usr/bin/env bash
# The Debian packages the tests use for real, installed when missing (as root, or with sudo that
# needs no password): Redis for the queue, Chromium for the browser tests, Optuna (Debian's python3)
# for the TPE agent's estimators, checked against Optuna's own, Valgrind and a C compiler for trace
# capture (it compiles a small program and runs it under lackey). `npm test` runs this first; so
# does CI. Where it cannot install, it says in one line what is missing and why, and fails.
set -euo pipefail

need=()
command -v redis-server >/dev/null || need+=(redis-server)
command -v chromium >/dev/null || need+=(chromium)
/usr/bin/python3 -c 'import optuna' 2>/dev/null || need+=(python3-optuna)
command -v valgrind >/dev/null || need+=(valgrind)
command -v cc >/dev/null || need+=(gcc)
[ ${#need[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
  SUDO=()
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  SUDO=(sudo -n)
else
  echo "marl-dse tests: need the Debian packages ${need[*]} (the tests run them for real); install them as root: apt-get install ${need[*]}" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null; then
  echo "marl-dse tests: need ${need[*]} (the tests run them for real), and this machine has no apt-get to install them" >&2
  exit 1
fi
echo "marl-dse tests: installing the Debian packages ${need[*]}" >&2
"${SUDO[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${need[@]}"
