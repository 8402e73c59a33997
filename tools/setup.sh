#!/usr/bin/env bash
# Set up everything trustspace needs, from its own pinned files only:
# a Python 3.11 virtualenv (.venv), the npm packages (solc, anvil,
# OpenZeppelin), and the compilers where ape's plugins look for them.
# Idempotent: each step is skipped while the files it depends on are unchanged.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }
fingerprint() { cat "$@" | sha256sum | cut -d' ' -f1; }

PYTHON="${PYTHON:-}"
if [ -z "$PYTHON" ]; then
  for candidate in python3.11 python3; do
    if command -v "$candidate" >/dev/null && "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
      PYTHON="$candidate"; break
    fi
  done
fi
if [ -z "$PYTHON" ]; then
  echo "setup: Python 3.11 is required (set PYTHON=/path/to/python3.11)" >&2; exit 1
fi
command -v node >/dev/null || { echo "setup: Node.js 20 is required (node not on PATH)" >&2; exit 1; }
command -v npm >/dev/null || { echo "setup: npm is required (not on PATH)" >&2; exit 1; }

# Debian packages the tests and the portal need: Chromium (the portal's browser tests) and a
# PostgreSQL server (the indexer's PostgreSQL tests start their own). Installed when missing
# and this user can (root, or sudo without a password); otherwise set-up stops naming the
# command, since CI must never skip those tests.
debian_missing=()
command -v chromium >/dev/null || debian_missing+=(chromium)
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || debian_missing+=(postgresql)
if [ ${#debian_missing[@]} -gt 0 ]; then
  install_cmd="apt-get install -y -q --no-install-recommends ${debian_missing[*]}"
  if [ "$(id -u)" -eq 0 ]; then as_root=(); elif sudo -n true 2>/dev/null; then as_root=(sudo -n); else as_root=(none); fi
  if [ "${as_root[*]}" = none ] || ! command -v apt-get >/dev/null; then
    echo "setup: missing Debian packages: ${debian_missing[*]} — install them with: sudo $install_cmd" >&2
    exit 1
  fi
  say "installing Debian packages: ${debian_missing[*]}"
  mkdir -p .trustspace
  export DEBIAN_FRONTEND=noninteractive
  if ! "${as_root[@]}" $install_cmd >/dev/null 2>.trustspace/apt.log; then
    # a fresh machine may have no package lists yet
    "${as_root[@]}" apt-get update -q >/dev/null 2>>.trustspace/apt.log || true
    "${as_root[@]}" $install_cmd >/dev/null 2>>.trustspace/apt.log || {
      echo "setup: could not install ${debian_missing[*]} (see .trustspace/apt.log); run: sudo $install_cmd" >&2
      exit 1
    }
  fi
  rm -f .trustspace/apt.log
fi

if [ ! -x .venv/bin/python ]; then
  say "creating .venv with $PYTHON"
  "$PYTHON" -m venv .venv
fi

py_stamp=$(fingerprint pyproject.toml constraints.txt)
if [ "$(cat .venv/.trustspace-stamp 2>/dev/null)" != "$py_stamp" ]; then
  say "installing Python packages (pinned by constraints.txt)"
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade "pip==24.3.1"
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e ".[dev]"
  echo "$py_stamp" > .venv/.trustspace-stamp
fi

npm_stamp=$(fingerprint package.json package-lock.json)
if [ "$(cat node_modules/.trustspace-stamp 2>/dev/null)" != "$npm_stamp" ]; then
  say "installing npm packages (pinned by package-lock.json)"
  # --ignore-scripts: anvil's binary comes in its platform package; its
  # postinstall script would only try to fetch what is already there.
  npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
  echo "$npm_stamp" > node_modules/.trustspace-stamp
fi

.venv/bin/trustspace doctor --install >/dev/null
say "ready: $(.venv/bin/trustspace doctor)"
